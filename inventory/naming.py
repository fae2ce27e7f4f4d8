"""ASCII identifiers derived from Vietnamese names: hostnames, slugs."""

import re
import unicodedata

# đ/Đ do not decompose under NFKD, every other Vietnamese letter does.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "D"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
HOSTNAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def slugify(name: str) -> str:
    """'Phường Cẩm Thượng' -> 'phuong-cam-thuong'."""
    ascii_name = unicodedata.normalize("NFKD", name.translate(_SPECIAL)).encode("ascii", "ignore").decode()
    return _NON_ALNUM.sub("-", ascii_name.lower()).strip("-")


def router_hostname(kind: str, code: str, name: str) -> str:
    """The CE router's hostname: unique because it carries the official code."""
    if kind in ("dc", "dr"):
        return f"{kind}-core-1"
    if kind == "agency":
        return f"ce-ag-{code.lower()}"  # hostnames are lowercase: `STP` and `stp` are one name
    prefix = "ce-d" if kind == "district" else "ce-"
    return f"{prefix}{code.lower()}-{slugify(name)}"[:63].rstrip("-")


def site_id(kind: str, code: str) -> str:
    """The site's key in the inventory: 'dc', 'ag-snv', 'dist-288', 'com-10507'."""
    return {"dc": "dc", "dr": "dr", "agency": f"ag-{code}", "district": f"dist-{code}"}.get(
        kind, f"com-{code}"
    )
