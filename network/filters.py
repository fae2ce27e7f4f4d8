"""What one line of a router config may hold: the filters every template prints a string through.

A config is a list of statements, one a line, so a value that could end a line (any Unicode line
break), hide text (control and format characters) or close a quoted string must never reach the
output as it is, whatever the schema let through. Free text is cleaned for the platform it goes to;
identifiers must already be safe tokens and stop the render when they are not.

Free text, per platform (every one: line breaks, tabs and other spaces become one space, control,
format, surrogate, private-use and unassigned characters are dropped, the ends are trimmed):

- cisco_ios `ios_description`: ASCII only, because IOS stores the bytes as they come and publishes
  an interface description as ifAlias, an SNMP DisplayString; Vietnamese letters lose their marks
  (Bình Hàn → Binh Han, đ → d) and anything else outside ASCII is dropped. `?` is dropped too: it is
  the CLI's help key when a config is sent line by line. At most 240 characters (80 for a BGP
  neighbor). `ios_text` (to the end of a line, e.g. `snmp-server location`) keeps UTF-8, at most 255.
  `ios_banner` keeps UTF-8 and drops `^`, the banner's delimiter.
- frr `frr_text`: to the end of a line, UTF-8 kept, at most 255 (the kernel's interface alias).
- juniper_junos `junos_string`: one whole double-quoted string, `\\` and `"` escaped, UTF-8 kept,
  at most 255; `junos_message` joins lines with Junos' own `\\n` escape inside one string.

Anything else a template prints goes through `finalize`: a filtered string, an int, or an IPv4
address, network or interface (as an object, or a string that is exactly one), else the render
stops. So a template cannot print a raw inventory string by forgetting a filter.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Any

from provdc.core.errors import ProvdcError

# Identifiers printed unquoted: each must be one token of the device's grammar, ASCII only.
TOKENS: dict[str, tuple[str, str]] = {
    "hostname": (r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,61}[A-Za-z0-9])?", "letters, digits, '.', '-'; 1-63"),
    "interface": (r"[A-Za-z][A-Za-z0-9/:._-]{0,63}", "letters, digits, '/', ':', '.', '_', '-'; 1-64"),
    "user": (r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}", "letters, digits, '.', '_', '-'; 1-32"),
    "keyword": (r"[A-Za-z0-9][A-Za-z0-9-]{0,31}", "letters, digits, '-'; 1-32"),
    "secret": (
        r"<<secret:(?:env:[A-Za-z_][A-Za-z0-9_]{0,127}|file:[A-Za-z0-9._/~+-]{1,4096})>>",
        "<<secret:env:NAME>> or <<secret:file:PATH>>",
    ),
    "secret-crypt": (
        r"<<secret-sha512crypt:(?:env:[A-Za-z_][A-Za-z0-9_]{0,127}|file:[A-Za-z0-9._/~+-]{1,4096})>>",
        "<<secret-sha512crypt:env:NAME>> or <<secret-sha512crypt:file:PATH>>",
    ),
}
_TOKEN_RE = {kind: re.compile(pattern) for kind, (pattern, _) in TOKENS.items()}
_SPACES = re.compile(r" {2,}")
# Letters NFKD does not decompose into a base letter and marks.
_ASCII_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ß": "ss", "ł": "l", "Ł": "L"})


class UnsafeValue(ProvdcError):
    """A value a template would print that could change the config's statements."""


class Checked(str):
    """A string a filter of this module made safe for the place it is printed."""


def one_line(value: object) -> str:
    """The text on one line: every break and space one space; invisible characters gone."""
    out = []
    for ch in unicodedata.normalize("NFC", str(value)):
        category = unicodedata.category(ch)
        if category in ("Zs", "Zl", "Zp") or (category == "Cc" and ch.isspace()):
            out.append(" ")
        elif category[0] != "C":  # Cc, Cf, Cs, Co, Cn: control, format, surrogate, private, unassigned
            out.append(ch)
    return _SPACES.sub(" ", "".join(out)).strip()


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None else text[:limit].rstrip()


def ios_description(value: object, limit: int = 240) -> Checked:
    folded = unicodedata.normalize("NFKD", one_line(value).translate(_ASCII_LETTERS))
    ascii_text = "".join(ch for ch in folded if " " <= ch <= "~" and ch != "?")
    return Checked(_cut(_SPACES.sub(" ", ascii_text).strip(), limit))


def ios_text(value: object, limit: int | None = 255) -> Checked:
    return Checked(_cut(one_line(value), limit))


def ios_banner(value: object) -> Checked:
    return Checked(one_line(str(value).replace("^", " ")))


def frr_text(value: object, limit: int | None = 255) -> Checked:
    return Checked(_cut(one_line(value), limit))


def _junos_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def junos_string(value: object, limit: int | None = 255) -> Checked:
    return Checked('"' + _junos_escaped(_cut(one_line(value), limit)) + '"')


def junos_message(lines: Iterable[object]) -> Checked:
    return Checked('"' + "\\n".join(_junos_escaped(one_line(line)) for line in lines) + '"')


def token(value: object, kind: str) -> Checked:
    """`value` as it is, if it is one safe token of `kind`; else the render stops."""
    text = str(value)
    if not isinstance(value, str | int) or not _TOKEN_RE[kind].fullmatch(text):
        raise UnsafeValue(f"{kind} {text!r} is not a safe token ({TOKENS[kind][1]})")
    return Checked(text)


def _is_ipv4_literal(text: str) -> bool:
    for kind in (IPv4Address, IPv4Network, IPv4Interface):
        try:
            if str(kind(text)) == text:
                return True
        except ValueError:
            continue
    return False


def finalize(value: Any) -> Any:
    """Jinja's last step for every `{{ … }}`: only what cannot hold a line break gets through."""
    if isinstance(value, Checked | IPv4Address | IPv4Network | IPv4Interface):
        return value
    if type(value) is int:
        return value
    if type(value) is str and _is_ipv4_literal(value):
        return value
    raise UnsafeValue(f"{type(value).__name__} {str(value)[:60]!r} printed without a quoting filter")


FILTERS: dict[str, Callable[..., Checked]] = {
    "ios_description": ios_description,
    "ios_text": ios_text,
    "ios_banner": ios_banner,
    "frr_text": frr_text,
    "junos_string": junos_string,
    "junos_message": junos_message,
    "token": token,
}
