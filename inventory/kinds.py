"""The character policy of the inventory: every string field is one of these kinds.

A string of the inventory reaches router configs, Ansible, templates and terminals, so each field
says what it may hold. A human name holds letters, digits, punctuation and spaces (NFC, no control,
format or separator character); everything else follows a strict ASCII pattern. Each kind carries a
`TextKind` marker so a test can prove no field of the schema is a bare `str`.
"""

import re
import unicodedata
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from ipaddress import IPv4Network
from typing import Annotated

from pydantic import AfterValidator, Field, Strict
from pydantic_core import PydanticCustomError

ASN_MAX = 4294967294  # 4294967295 is reserved (RFC 7300)
BANDWIDTH_MAX_MBPS = 100_000
MIN_MANAGEMENT_PREFIX = 8
# Ansible's own groups and the ones `inventory export ansible` makes (export_ansible.py):
# a workload group of that name would replace or join them.
ANSIBLE_RESERVED_GROUPS = frozenset({"all", "ungrouped", "vms", "routers"})
ANSIBLE_RESERVED_PREFIX = "platform_"


@dataclass(frozen=True)
class TextKind:
    """Marks an Annotated str with the policy it follows."""

    name: str


def _refuse(message: str) -> PydanticCustomError:
    return PydanticCustomError("text_kind", message)


def char_name(char: str) -> str:
    """'U+000A (control character)', 'U+202E (RIGHT-TO-LEFT OVERRIDE)': safe to print."""
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'control character')})"


def _name_char_ok(char: str) -> bool:
    return char == " " or unicodedata.category(char)[0] in "LNP" or unicodedata.category(char) in ("Mn", "Mc")


def human_name(value: str) -> str:
    """Letters, digits, punctuation and single spaces inside; NFC, as the province writes them."""
    if not value.strip():
        raise _refuse("is empty")
    if value != value.strip():
        raise _refuse("starts or ends with a space")
    bad = next((c for c in value if not _name_char_ok(c)), None)
    if bad is not None:
        raise _refuse(f"holds {char_name(bad)}: a name may hold letters, digits, punctuation and spaces")
    if unicodedata.normalize("NFC", value) != value:
        raise _refuse("is not in Unicode NFC form (re-save the file as NFC)")
    return value


def _pattern(regex: str, what: str) -> Callable[[str], str]:
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            bad = next((c for c in value if not (c.isascii() and c.isprintable())), None)
            holds = f"holds {char_name(bad)}; " if bad is not None else ""
            raise _refuse(f"{holds}must be {what}")
        return value

    return check


def _secret_ref(value: str) -> str:
    if re.fullmatch(r"env:[A-Z_][A-Z0-9_]*", value):
        return value
    path = value.removeprefix("file:")
    plain = re.fullmatch(r"/[A-Za-z0-9._/@+-]*[^/]", path) is not None
    if value.startswith("file:/") and plain and ".." not in path.split("/"):
        return value
    raise _refuse("must be env:NAME (NAME of A-Z, 0-9, _) or file:/absolute/path (no '..')")


def _absolute_path(value: str) -> str:
    if re.fullmatch(r"/[A-Za-z0-9._/-]{0,200}", value) and ".." not in value.split("/"):
        return value
    raise _refuse("must be an absolute path of ASCII letters, digits and . _ - / (no '..')")


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _timezone(value: str) -> str:
    if value not in _zones():
        raise _refuse("is not an IANA time zone (e.g. Asia/Ho_Chi_Minh)")
    return value


def _group(value: str) -> str:
    if value in ANSIBLE_RESERVED_GROUPS or value.startswith(ANSIBLE_RESERVED_PREFIX):
        reserved = ", ".join(sorted(ANSIBLE_RESERVED_GROUPS))
        raise _refuse(
            f"is a group provdc's Ansible inventory reserves ({reserved}, {ANSIBLE_RESERVED_PREFIX}*)"
        )
    return value


HumanName = Annotated[
    str, TextKind("human-name"), Strict(), Field(max_length=200), AfterValidator(human_name)
]
Code = Annotated[
    str,
    TextKind("code"),
    Strict(),
    AfterValidator(_pattern(r"[0-9A-Za-z]{1,16}", "1-16 ASCII letters or digits")),
]
Hostname = Annotated[
    str,
    TextKind("hostname"),
    Strict(),
    AfterValidator(
        _pattern(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", "a hostname: lowercase ASCII letters, digits and -")
    ),
]
Identifier = Annotated[
    str,
    TextKind("identifier"),
    Strict(),
    AfterValidator(
        _pattern(r"[a-z0-9][a-z0-9_-]{0,62}", "lowercase ASCII letters, digits, _ and - (at most 63)")
    ),
]
CircuitId = Annotated[
    str,
    TextKind("circuit-id"),
    Strict(),
    AfterValidator(
        _pattern(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}", "ASCII letters, digits and . _ : / - (at most 64)")
    ),
]
GroupName = Annotated[
    str,
    TextKind("ansible-group"),
    Strict(),
    AfterValidator(_pattern(r"[a-z][a-z0-9_]{0,62}", "lowercase ASCII letters, digits and _")),
    AfterValidator(_group),
]
SnmpUser = Annotated[
    str,
    TextKind("snmp-user"),
    Strict(),
    AfterValidator(
        _pattern(r"[A-Za-z][A-Za-z0-9._-]{0,31}", "an SNMP user: ASCII letters, digits and . _ -")
    ),
]
ProfileName = Annotated[
    str,
    TextKind("profile"),
    Strict(),
    AfterValidator(
        _pattern(r"[a-z0-9][a-z0-9_-]{0,31}", "a profile name: lowercase ASCII letters, digits, _ -")
    ),
]
OsName = Annotated[
    str,
    TextKind("os"),
    Strict(),
    AfterValidator(_pattern(r"[a-z0-9][a-z0-9.-]{0,31}", "an OS name: lowercase ASCII letters, digits, . -")),
]
SecretRef = Annotated[str, TextKind("secret-ref"), Strict(), AfterValidator(_secret_ref)]
AbsolutePath = Annotated[str, TextKind("path"), Strict(), AfterValidator(_absolute_path)]
Timezone = Annotated[str, TextKind("timezone"), Strict(), AfterValidator(_timezone)]

# Numbers: strict (YAML `true` or "40" is not a number) and bounded.
Whole = Annotated[int, Strict()]
Flag = Annotated[bool, Strict()]
Count = Annotated[int, Strict(), Field(ge=0, le=100_000)]
Positive = Annotated[int, Strict(), Field(gt=0, le=10_000_000)]
Bandwidth = Annotated[int, Strict(), Field(gt=0, le=BANDWIDTH_MAX_MBPS)]
Vlan = Annotated[int, Strict(), Field(ge=1, le=4094)]
Port = Annotated[int, Strict(), Field(ge=1, le=65535)]
Asn = Annotated[int, Strict(), Field(ge=1, le=ASN_MAX)]
Finite = Annotated[float, Strict(), Field(allow_inf_nan=False)]


def _management(net: IPv4Network) -> IPv4Network:
    if net.prefixlen < MIN_MANAGEMENT_PREFIX:
        raise _refuse(f"/{net.prefixlen} is wider than /{MIN_MANAGEMENT_PREFIX}: name the management subnets")
    return net


ManagementNetwork = Annotated[IPv4Network, AfterValidator(_management)]


def _day(value: date) -> date:
    if isinstance(value, datetime):
        raise _refuse("must be a date (YYYY-MM-DD), not a date and time")
    if not 1900 <= value.year <= 2200:
        raise _refuse("is outside the years 1900-2200")
    return value


# A calendar day, written unquoted in YAML (2025-07-01); a quoted string is refused.
Day = Annotated[date, Strict(), AfterValidator(_day)]
_DNS_NAME = r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
DomainName = Annotated[
    str,
    TextKind("domain"),
    Strict(),
    Field(max_length=253),
    AfterValidator(
        _pattern(
            _DNS_NAME,
            "a DNS name: dot-separated lowercase ASCII labels of letters, digits and -",
        )
    ),
]
Email = Annotated[
    str,
    TextKind("email"),
    Strict(),
    Field(max_length=254),
    AfterValidator(
        _pattern(
            r"[a-z0-9][a-z0-9._+-]{0,63}@" + _DNS_NAME,
            "an e-mail address",
        )
    ),
]
