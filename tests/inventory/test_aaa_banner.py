"""The router logins and the banner in province.yml: a bad value is refused at its line.

Each of these fields reaches a router config unquoted (user, references, addresses) or as a banner
line, so the schema refuses what could add a statement, with the file and line to fix.
"""

from pathlib import Path

import pytest

from provdc.inventory.loader import check_inventory, load_inventory

CASES = [
    ("user-space", "break_glass_user: provdc-breakglass", "break_glass_user: provdc breakglass"),
    ("user-newline", "break_glass_user: provdc-breakglass", 'break_glass_user: "x\\nusername evil"'),
    ("user-upper", "break_glass_user: provdc-breakglass", "break_glass_user: Admin"),
    (
        "secret-plain",
        "break_glass_secret_ref: env:PROVDC_BREAKGLASS_SECRET",
        "break_glass_secret_ref: hunter2",
    ),
    ("key-relative", "tacacs_key_ref: env:PROVDC_TACACS_KEY", "tacacs_key_ref: file:../key"),
    ("server-name", "tacacs_servers: [10.30.6.31, 10.30.6.32]", "tacacs_servers: [tacacs.local]"),
    ("servers-none", "tacacs_servers: [10.30.6.31, 10.30.6.32]", "tacacs_servers: []"),
    ("banner-newline", '- "CẢNH BÁO:', '- "X\\n^C\\nusername evil\\n'),
    ("banner-rlo", '- "CẢNH BÁO:', '- "\\u202e'),
]


@pytest.mark.parametrize(("old", "new"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_login_or_banner_is_refused_at_its_line(inventory_copy: Path, old: str, new: str) -> None:
    path = inventory_copy / "province.yml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.split("\n"), start=1) if new in row)
    result = check_inventory(inventory_copy)
    assert not result.ok
    invalid = [(Path(p.file).name, p.line) for p in result.problems if p.code == "invalid"]
    assert invalid == [("province.yml", line)], [str(p) for p in result.problems]


def test_shipped_logins_and_banner() -> None:
    services = load_inventory().services
    assert services.aaa.tacacs_servers and services.aaa.break_glass_user == "provdc-breakglass"
    assert all(
        ref.startswith("env:") for ref in (services.aaa.tacacs_key_ref, services.aaa.break_glass_secret_ref)
    )
    assert services.banner[0].startswith("CẢNH BÁO")
