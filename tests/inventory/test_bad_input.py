"""The corpus of broken inventories: each gives one clear line naming file:line, exit 1, no traceback.

Each case edits a copy of the shipped inventory. The expected line is found in the edited file by
the test itself (the line holding a marker), not taken from the loader.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROBLEM_LINE = re.compile(r"^(?P<file>[^:\s]+):(?P<line>\d+): (?P<msg>.+) \[(?P<code>[a-z0-9-]+)\]$")


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    old: str | bytes
    new: str | bytes
    marker: str | bytes  # the expected line is the `occurrence`-th line holding this text
    code: str
    occurrence: int = 1


CASES = [
    Case(
        "malformed-yaml",
        "communes.yml",
        '    name: "Bình Hàn"\n',
        "    name: Bình: Hàn\n",
        "    name: Bình: Hàn",
        "yaml",
    ),
    Case("tab-indent", "districts.yml", "    type: huyen\n", "\ttype: huyen\n", "\ttype: huyen", "yaml"),
    Case(
        "unknown-key",
        "communes.yml",
        "    camera: true\n",
        "    camera: true\n    colour: red\n",
        "colour: red",
        "unknown-key",
    ),
    Case(
        "wrong-type",
        "communes.yml",
        "    bandwidth_mbps: 40\n",
        "    bandwidth_mbps: fast\n",
        "bandwidth_mbps: fast",
        "invalid",
    ),
    Case("vlan-5000", "datacenters.yml", "vlan: 105,", "vlan: 5000,", "vlan: 5000,", "invalid"),
    Case(
        "missing-key",
        "communes.yml",
        "    circuit_id: VNPT-HDG-C10507\n",
        "",
        '  - code: "10507"',
        "missing-key",
    ),
    Case(
        "overlapping-subnets",
        "datacenters.yml",
        "network: 10.30.16.0/24}",
        "network: 10.30.4.0/25}",
        "  - id: dr",
        "overlap",
    ),
    Case(
        "duplicate-hostname",
        "workloads.yml",
        "  - name: dvc-web-02\n",
        "  - name: dvc-web-01\n",
        "  - name: dvc-web-01",
        "duplicate-hostname",
        occurrence=2,
    ),
    Case(
        "duplicate-ip",
        "workloads.yml",
        "ip: 10.30.4.12}",
        "ip: 10.30.4.11}",
        "  - name: dvc-web-02",
        "duplicate-ip",
    ),
    Case(
        "dangling-district",
        "communes.yml",
        '    district: "288"\n',
        '    district: "999"\n',
        '  - code: "10507"',
        "reference",
    ),
    Case(
        "dangling-port-group",
        "workloads.yml",
        "port_group: pg-db, ip: 10.30.5.11",
        "port_group: pg-nope, ip: 10.30.5.11",
        "  - name: db-01",
        "reference",
    ),
    Case(
        "duplicate-site",
        "communes.yml",
        '  - code: "10510"\n',
        '  - code: "10507"\n',
        '  - code: "10507"',
        "duplicate",
        occurrence=2,
    ),
    Case(
        "vc-bandwidth",
        "communes.yml",
        "    camera: true\n",
        "    camera: true\n    vc_endpoints: 30\n",
        '  - code: "10507"',
        "bandwidth",
    ),
    Case(
        "cluster-capacity",
        "workloads.yml",
        "    memory_gb: 64\n",
        "    memory_gb: 4000\n",
        "  - name: db-01",
        "capacity",
    ),
    Case(
        "not-utf8",
        "communes.yml",
        "Bình Hàn".encode(),
        "Bình Hàn".encode("cp1258", "replace"),
        b'    name: "B',
        "not-utf8",
    ),
]


def _line_of(data: bytes, marker: bytes, occurrence: int) -> int:
    hits = [i for i, line in enumerate(data.split(b"\n"), start=1) if marker in line]
    assert len(hits) >= occurrence, f"marker {marker!r} not in the edited file"
    return hits[occurrence - 1]


def _edit(root: Path, case: Case) -> int:
    path = root / case.file
    data = path.read_bytes()
    old = case.old.encode() if isinstance(case.old, str) else case.old
    new = case.new.encode() if isinstance(case.new, str) else case.new
    assert old in data, f"{case.id}: text to replace not found"
    data = data.replace(old, new, 1)
    path.write_bytes(data)
    marker = case.marker.encode() if isinstance(case.marker, str) else case.marker
    return _line_of(data, marker, case.occurrence)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_inventory_is_one_clear_line(case: Case, inventory_copy: Path, provdc_cli: Any) -> None:
    expected_line = _edit(inventory_copy, case)
    run = provdc_cli("inventory", "validate", str(inventory_copy))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr + run.stdout
    lines = run.stderr.strip().splitlines()
    problems = [m for m in map(PROBLEM_LINE.match, lines[:-1]) if m]
    assert len(problems) == len(lines) - 1, f"every line but the last names file:line: {lines}"
    assert lines[-1].startswith("invalid: ")
    hit = [m for m in problems if m["code"] == case.code]
    assert hit, f"no [{case.code}] problem in {lines}"
    assert hit[0]["file"].endswith(case.file)
    assert int(hit[0]["line"]) == expected_line, lines


def test_empty_file(inventory_copy: Path, provdc_cli: Any) -> None:
    (inventory_copy / "extra.yml").write_text("")
    run = provdc_cli("inventory", "validate", str(inventory_copy), "--format", "json")
    assert run.returncode == 1
    report = json.loads(run.stdout)
    assert report["ok"] is False
    assert [(e["file"].endswith("extra.yml"), e["line"], e["code"]) for e in report["errors"]] == [
        (True, 1, "empty")
    ]


def test_fifty_megabyte_file_is_refused_quickly(inventory_copy: Path, provdc_cli: Any) -> None:
    big = inventory_copy / "big.yml"
    with big.open("wb") as f:
        f.write(b"communes:\n" + b'  - {code: "1", name: x}\n' * (50 * 1024 * 1024 // 24))
    assert big.stat().st_size >= 50 * 1024 * 1024
    run = provdc_cli("inventory", "validate", str(inventory_copy), timeout=30)
    assert run.returncode == 1
    assert re.search(r"big\.yml:1: file is \d+ MiB, over the \d+ MiB limit \[too-large\]", run.stderr)


def test_every_problem_is_reported_at_once(inventory_copy: Path, provdc_cli: Any) -> None:
    """Two unrelated mistakes in two files: both are named, not only the first."""
    lines = [_edit(inventory_copy, c) for c in CASES if c.id in ("unknown-key", "vlan-5000")]
    run = provdc_cli("inventory", "validate", str(inventory_copy), "--format", "json")
    errors = json.loads(run.stdout)["errors"]
    assert sorted(e["line"] for e in errors) == sorted(lines)


def test_missing_path(provdc_cli: Any, tmp_path: Path) -> None:
    run = provdc_cli("inventory", "validate", str(tmp_path / "nope"))
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[0].endswith("no such file or folder [not-found]")
