"""`inventory validate` holds the MCU's total against the DC's video-conference priority queue.

The endpoint count is worked out from the province's own lists (the shared CSVs) and the plan
in docs/inventory.md (a commune has one endpoint, a district and an agency two), not from code.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from admin_units import ADMIN_UNITS
from tests_cli import Cli

AGENCIES = ADMIN_UNITS.with_name("provincial-agencies.csv")
KBPS = 2048  # province.yml services.video_conference.kbps_per_endpoint


def _remote_endpoints() -> int:
    with ADMIN_UNITS.open(encoding="utf-8") as f:
        levels = [row["level"] for row in csv.DictReader(f)]
    with AGENCIES.open(encoding="utf-8") as f:
        agencies = sum(1 for _ in csv.DictReader(f))
    return levels.count("commune") * 1 + levels.count("district") * 2 + agencies * 2


def _set_dc(inventory: Path, bandwidth: str, endpoints: str) -> None:
    path = inventory / "datacenters.yml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    dc = next(i for i, line in enumerate(lines) if line.strip() == "- id: dc")
    for i in range(dc, dc + 10):
        key = lines[i].strip().split(":")[0]
        if key == "bandwidth_mbps":
            lines[i] = f"    bandwidth_mbps: {bandwidth}\n"
        elif key == "vc_endpoints":
            lines[i] = f"    vc_endpoints: {endpoints}\n"
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.skipif(not AGENCIES.is_file(), reason="the shared agency list is not here")
def test_the_old_20_mbps_queue_fails_with_one_clear_line(provdc_cli: Cli, inventory_copy: Path) -> None:
    remote = _remote_endpoints()
    assert remote == 301
    _set_dc(inventory_copy, "1000", "10")  # the DC as planned before: 10 endpoints, 1 Gb/s
    done = provdc_cli("inventory", "validate", str(inventory_copy))
    assert done.returncode == 1, done.stdout + done.stderr
    problems = [line for line in (done.stdout + done.stderr).splitlines() if "MCU" in line]
    assert len(problems) == 1, done.stdout + done.stderr
    line = problems[0]
    assert "datacenters.yml:" in line and "[bandwidth]" in line
    need, queue = remote * KBPS / 1000, 10 * KBPS / 1000
    assert f"{remote} remote video-conference endpoints" in line
    assert f"need {need:g} Mbps" in line and f"over the {queue:g} Mbps priority queue" in line


def test_the_shipped_dc_queue_holds_every_endpoint(provdc_cli: Cli, inventory_copy: Path) -> None:
    done = provdc_cli("inventory", "validate", str(inventory_copy))
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_queue_capped_by_its_link_fails(provdc_cli: Cli, inventory_copy: Path) -> None:
    """Enough endpoints but a 1 Gb/s link: QoS gives video at most 60 % of it, 600 Mbps < 616."""
    _set_dc(inventory_copy, "1000", "320")
    done = provdc_cli("inventory", "validate", str(inventory_copy))
    assert done.returncode == 1
    assert "over the 600 Mbps priority queue" in done.stdout + done.stderr
