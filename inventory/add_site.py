"""Adding a site to the inventory files: validated as a whole before anything is written.

The entry is appended to the file that holds the section (comments and order kept), the new
inventory is checked in a scratch copy, the old file is backed up, and the new one replaces it
atomically. The site's addresses follow from its code (ipam.py): no other site moves.
"""

import io
import shutil
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from provdc.core.errors import ProvdcError
from provdc.inventory.loader import InventoryError, check_inventory, load_inventory
from provdc.inventory.model import Site
from provdc.inventory.naming import site_id
from provdc.inventory.source import inventory_files
from provdc.inventory.targets import state_dir

SECTION = {"commune": "communes", "district": "districts", "agency": "agencies"}


def _section_file(root: Path, section: str) -> Path:
    yaml = YAML(typ="rt")
    for path in inventory_files(root):
        data = yaml.load(path.read_text(encoding="utf-8"))
        if isinstance(data, CommentedMap) and section in data:
            return path
    raise ProvdcError(f"add-site: no file under {root} holds a '{section}' section")


def add_site(root: Path, kind: str, fields: dict[str, Any]) -> tuple[Site, Path, Path]:
    """Append a site; returns the new site, the file written and its backup."""
    if kind not in SECTION:
        raise ProvdcError(f"add-site: kind must be one of {', '.join(SECTION)}")
    if not root.is_dir():
        raise ProvdcError(f"add-site: {root} is not an inventory folder")
    fields = {
        k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v
        for k, v in fields.items()
        if v is not None
    }
    section = SECTION[kind]
    path = _section_file(root, section)
    yaml = YAML(typ="rt")
    yaml.width = 120
    doc = yaml.load(path.read_text(encoding="utf-8"))
    seq = doc[section]
    if not isinstance(seq, CommentedSeq):
        raise ProvdcError(f"add-site: {path}: '{section}' is not a list")
    seq.append(CommentedMap(fields))
    buf = io.StringIO()
    yaml.dump(doc, buf)

    with tempfile.TemporaryDirectory(prefix="provdc-add-site-") as scratch:
        copy = Path(scratch) / "inventory"
        shutil.copytree(root, copy)
        (copy / path.relative_to(root)).write_text(buf.getvalue(), encoding="utf-8")
        result = check_inventory(copy)
        if not result.ok:
            first = result.problems[0]
            raise ProvdcError(f"add-site: the inventory would not be valid: {first.message} [{first.code}]")

    backup = state_dir() / "backups" / "inventory" / time.strftime("%Y%m%dT%H%M%S") / path.name
    backup.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, backup)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    tmp.replace(path)
    try:
        inv = load_inventory(root)
    except InventoryError as exc:  # cannot happen after the scratch check; restore to be safe
        shutil.copy2(backup, path)
        raise ProvdcError(f"add-site: restored {path} from {backup}: {exc}") from None
    return inv.sites[site_id(kind, str(fields["code"]))], path, backup
