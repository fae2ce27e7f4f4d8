"""Hostile inventories: each edit of a copy is refused with one problem at the edited line.

The expected line is where the test wrote its marker, found in the edited file by the test.
"""

import os
import types
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from provdc.inventory import schema
from provdc.inventory.export_ansible import ansible_inventory
from provdc.inventory.kinds import ANSIBLE_RESERVED_GROUPS, ANSIBLE_RESERVED_PREFIX, TextKind
from provdc.inventory.loader import check_inventory, load_inventory

# (id, file, text to replace, replacement, expected code); the marker is the first line of the replacement
CASES = [
    (
        "newline-circuit",
        "communes.yml",
        "circuit_id: VNPT-HDG-C10507",
        'circuit_id: "C1\\nline vty 0 4"',
        "invalid",
    ),
    ("cr-name", "communes.yml", 'name: "Bình Hàn"', 'name: "X\\rusername evil"', "invalid"),
    ("u2028-name", "communes.yml", 'name: "Bình Hàn"', 'name: "X\\u2028Y"', "invalid"),
    ("u0085-name", "communes.yml", 'name: "Bình Hàn"', 'name: "X\\x85Y"', "invalid"),
    ("vt-name", "communes.yml", 'name: "Bình Hàn"', 'name: "X\\vY"', "invalid"),
    ("ff-name", "communes.yml", 'name: "Bình Hàn"', 'name: "X\\fY"', "invalid"),
    ("nul-escape-name", "communes.yml", 'name: "Bình Hàn"', 'name: "X\\0Y"', "invalid"),
    ("esc-name", "communes.yml", 'name: "Bình Hàn"', 'name: "X\\e[31mY"', "invalid"),
    ("rlo-name", "communes.yml", 'name: "Bình Hàn"', 'name: "X\\u202eY"', "invalid"),
    ("zwsp-circuit", "communes.yml", "circuit_id: VNPT-HDG-C10507", 'circuit_id: "C1\\u200b"', "invalid"),
    ("blank-name", "communes.yml", 'name: "Bình Hàn"', 'name: " "', "invalid"),
    ("trailing-space-name", "communes.yml", 'name: "Bình Hàn"', 'name: "Bình Hàn "', "invalid"),
    (
        "junos-quote-circuit",
        "communes.yml",
        "circuit_id: VNPT-HDG-C10507",
        "circuit_id: 'C1\" ; set x'",
        "invalid",
    ),
    ("carrier-newline", "province.yml", "name: VNPT", 'name: "VNPT\\nX"', "invalid"),
    (
        "snmp-user-newline",
        "province.yml",
        "user: provdc-poller",
        'user: "p\\nrwcommunity public default"',
        "invalid",
    ),
    (
        "secret-ref-newline",
        "province.yml",
        "auth_key_ref: env:PROVDC_SNMP_AUTH_KEY",
        'auth_key_ref: "env:X\\nY"',
        "invalid",
    ),
    (
        "secret-ref-dotdot",
        "province.yml",
        "auth_key_ref: env:PROVDC_SNMP_AUTH_KEY",
        "auth_key_ref: file:/etc/../shadow",
        "invalid",
    ),
    (
        "secret-ref-relative",
        "province.yml",
        "auth_key_ref: env:PROVDC_SNMP_AUTH_KEY",
        "auth_key_ref: file:key",
        "invalid",
    ),
    (
        "timezone-jinja",
        "province.yml",
        "timezone: Asia/Ho_Chi_Minh",
        "timezone: \"{{ lookup('pipe','id') }}Asia/Ho_Chi_Minh\"",
        "invalid",
    ),
    (
        "timezone-traversal",
        "province.yml",
        "timezone: Asia/Ho_Chi_Minh",
        "timezone: ../../../../etc/shadow",
        "invalid",
    ),
    ("asn-base-over-32-bit", "province.yml", "asn_base: 4200030000", "asn_base: 4294967000", "invalid"),
    (
        "site-vlans-missing",
        "province.yml",
        "site_vlans: {mgmt: 10, office: 20, vc: 30, camera: 40}",
        "site_vlans: {mgmt: 10, office: 20}",
        "missing-key",
    ),
    (
        "mgmt-any",
        "province.yml",
        "management_networks: [10.30.0.0/24]",
        "management_networks: [0.0.0.0/0]",
        "invalid",
    ),
    (
        "mgmt-slash-7",
        "province.yml",
        "management_networks: [10.30.0.0/24]",
        "management_networks: [10.0.0.0/7]",
        "invalid",
    ),
    (
        "threshold-nan",
        "province.yml",
        "temperature_c: {warning: 45, critical: 55}",
        "temperature_c: {warning: .nan, critical: 55}",
        "invalid",
    ),
    (
        "threshold-inf",
        "province.yml",
        "temperature_c: {warning: 45, critical: 55}",
        "temperature_c: {warning: 45, critical: .inf}",
        "invalid",
    ),
    (
        "threshold-negative",
        "province.yml",
        "cpu_pct: {warning: 80, critical: 95}",
        "cpu_pct: {warning: -5, critical: 95}",
        "invalid",
    ),
    (
        "threshold-order",
        "province.yml",
        "cpu_pct: {warning: 80, critical: 95}",
        "cpu_pct: {warning: 99, critical: 95}",
        "invalid",
    ),
    (
        "threshold-order-ups",
        "province.yml",
        "ups_runtime_min: {warning: 20, critical: 10}",
        "ups_runtime_min: {warning: 5, critical: 10}",
        "invalid",
    ),
    ("vcpu-inf", "vsphere.yml", "vcpu_per_core: 4 ", "vcpu_per_core: .inf ", "invalid"),
    ("bandwidth-huge", "communes.yml", "bandwidth_mbps: 40", "bandwidth_mbps: 100000000", "invalid"),
    ("bandwidth-1e20", "communes.yml", "bandwidth_mbps: 40", "bandwidth_mbps: 1e20", "invalid"),
    ("bandwidth-true", "communes.yml", "bandwidth_mbps: 40", "bandwidth_mbps: true", "invalid"),
    ("bandwidth-string", "communes.yml", "bandwidth_mbps: 40", 'bandwidth_mbps: "40"', "invalid"),
    ("bandwidth-sexagesimal", "communes.yml", "bandwidth_mbps: 40", "bandwidth_mbps: 1:20", "yaml"),
    ("bandwidth-hex", "communes.yml", "bandwidth_mbps: 40", "bandwidth_mbps: 0x28", "yaml"),
    ("bandwidth-octal", "communes.yml", "bandwidth_mbps: 40", "bandwidth_mbps: 050", "yaml"),
    ("name-binary", "communes.yml", 'name: "Bình Hàn"', "name: !!binary aGk=", "yaml"),
    ("camera-yes", "communes.yml", "camera: true", "camera: yes", "yaml"),
    ("huge-int", "communes.yml", "bandwidth_mbps: 40", "bandwidth_mbps: " + "9" * 5000, "yaml"),
    ("bad-date", "communes.yml", 'name: "Bình Hàn"', "name: 2024-02-30", "yaml"),
    ("list-key", "communes.yml", "camera: true", "[a, b]: x", "yaml"),
    (
        "snmp-profile-path",
        "datacenters.yml",
        "snmp_profile: netapp}",
        "snmp_profile: ../../etc/passwd}",
        "invalid",
    ),
    ("device-platform-free", "datacenters.yml", "platform: fortios,", "platform: 'Forti OS',", "invalid"),
    ("group-all", "workloads.yml", "group: reverse_proxy", "group: all", "invalid"),
    ("group-routers", "workloads.yml", "group: reverse_proxy", "group: routers", "invalid"),
    ("group-platform", "workloads.yml", "group: reverse_proxy", "group: platform_cisco_ios", "invalid"),
    ("agency-code-case", "agencies.yml", "  - code: stp\n", "  - code: SNV\n", "duplicate-code"),
    (
        "circuit-case",
        "communes.yml",
        "circuit_id: VNPT-HDG-C10510",
        "circuit_id: vnpt-hdg-c10507",
        "duplicate-circuit",
        '  - code: "10510"',
    ),
]


def _edit(root: Path, file: str, old: str, new: str, marker: str | None = None) -> int:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    marker = marker or new.strip().splitlines()[0]
    return next(i for i, line in enumerate(text.split("\n"), start=1) if marker in line)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_value_is_one_problem_at_its_line(case: tuple[str, ...], inventory_copy: Path) -> None:
    _, file, old, new, code, *marker = case
    line = _edit(inventory_copy, file, old, new, *marker)
    result = check_inventory(inventory_copy)
    assert not result.ok
    hits = [p for p in result.problems if p.code == code]
    assert hits, [str(p) for p in result.problems]
    assert hits[0].file.endswith(file)
    assert hits[0].line == line, [str(p) for p in result.problems]
    for p in result.problems:  # nothing hostile is echoed into a report
        assert p.message.isprintable(), p.message


def _string_hints(hint: object, where: str) -> list[str]:
    """The places under `hint` where a str is not marked with a TextKind."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(hint)
        if base is str:
            return [] if any(isinstance(m, TextKind) for m in meta) else [where]
        return _string_hints(base, where)
    if hint is str:
        return [where]
    if origin is typing.Literal:
        return []
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return []  # walked on its own
    if typing.is_typeddict(hint):
        return [
            b
            for k, h in typing.get_type_hints(hint, include_extras=True).items()
            for b in _string_hints(h, f"{where}.{k}")
        ]
    return [b for arg in typing.get_args(hint) for b in _string_hints(arg, where)]


def test_no_schema_field_is_a_bare_string() -> None:
    models = [
        m
        for m in vars(schema).values()
        if isinstance(m, type) and issubclass(m, BaseModel) and m.__name__.endswith("In")
    ]
    assert len(models) > 20
    bare = [
        b
        for model in models
        for name, hint in typing.get_type_hints(model, include_extras=True).items()
        for b in _string_hints(hint, f"{model.__name__}.{name}")
    ]
    assert bare == []


def test_the_bare_string_walk_finds_a_bare_string() -> None:
    assert _string_hints(list[str] | None, "x") == ["x"]
    assert _string_hints(types.UnionType, "y") == []


def test_reserved_groups_are_the_ones_the_export_makes() -> None:
    inv = load_inventory()
    exported = set(ansible_inventory(inv)) - {"_meta"} - {vm.group for vm in inv.workloads}
    made_by_provdc = {g for g in exported if not g.startswith(ANSIBLE_RESERVED_PREFIX)}
    assert made_by_provdc == ANSIBLE_RESERVED_GROUPS
    assert any(g.startswith(ANSIBLE_RESERVED_PREFIX) for g in exported)


def test_generated_hostnames_are_lowercase() -> None:
    inv = load_inventory()
    assert all(s.router.hostname == s.router.hostname.lower() for s in inv.sites.values())


def test_highest_site_asn_fits_32_bits(inventory_copy: Path) -> None:
    """The largest asn_base accepted, with the highest slot, is still a 32-bit ASN."""
    from provdc.inventory.ipam import SLOTS

    path = inventory_copy / "province.yml"
    top = 4294967294 - (SLOTS - 1)
    path.write_text(path.read_text(encoding="utf-8").replace("asn_base: 4200030000", f"asn_base: {top}"))
    inv = load_inventory(inventory_copy)
    assert max(s.router.asn for s in inv.sites.values()) <= 2**32 - 1
    path.write_text(path.read_text(encoding="utf-8").replace(f"asn_base: {top}", f"asn_base: {top + 1}"))
    assert not check_inventory(inventory_copy).ok


def test_missing_section_file_is_an_error(inventory_copy: Path) -> None:
    (inventory_copy / "communes.yml").rename(inventory_copy / "communes.yml.bak")
    result = check_inventory(inventory_copy)
    assert [p.code for p in result.problems] == ["missing-section"]
    assert "communes" in result.problems[0].message


def test_uppercase_suffix_is_read(inventory_copy: Path) -> None:
    (inventory_copy / "communes.yml").rename(inventory_copy / "communes.YML")
    result = check_inventory(inventory_copy)
    assert result.ok and result.inventory is not None
    assert result.inventory.summary()["commune_sites"] == 235


def test_symlink_leaving_the_folder_is_refused_unread(inventory_copy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("secret_token_abc123: 1\n")
    (inventory_copy / "leak.yml").symlink_to(secret)
    result = check_inventory(inventory_copy)
    assert [(Path(p.file).name, p.code) for p in result.problems] == [("leak.yml", "outside")]
    assert "abc123" not in str(result.problems) and "secret.txt" not in str(result.problems)


def test_dangling_and_looping_symlinks_are_reported(inventory_copy: Path) -> None:
    (inventory_copy / "gone.yml").symlink_to(inventory_copy / "nothing.yml")
    (inventory_copy / "loop.yml").symlink_to(inventory_copy / "loop.yml")
    result = check_inventory(inventory_copy)
    assert sorted((Path(p.file).name, p.code) for p in result.problems) == [
        ("gone.yml", "broken-link"),
        ("loop.yml", "broken-link"),
    ]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to nobody")
def test_unreadable_file_and_folder_as_nobody(inventory_copy: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    for p in [*tmp_path.parents[:-1], tmp_path, *tmp_path.rglob("*")]:
        if p.owner() == "root" and p.is_relative_to("/tmp/"):
            p.chmod(p.stat().st_mode | (0o755 if p.is_dir() else 0o644))
    (inventory_copy / "communes.yml").chmod(0)
    sub = inventory_copy / "more"
    sub.mkdir(mode=0)
    run = subprocess.run(
        [
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            sys.executable,
            "-m",
            "provdc",
            "inventory",
            "validate",
            str(inventory_copy),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "HOME": "/tmp"},
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert any("communes.yml:0: cannot read: Permission denied [unreadable]" in ln for ln in lines), lines
    assert any("more:0: cannot list folder: Permission denied [unreadable]" in ln for ln in lines), lines
