"""`up` recovers from a crashed run and from leftovers of another checkout; `down` leaves nothing.

Each test leaves the lab up again, as the session found it.
"""

import os
import signal
import subprocess
from pathlib import Path

import pytest

from provdc.lab.paths import LabPaths
from provdc.lab.status import LabStatus, lab_status

from .test_lab_vsphere import vcsim_pids

pytestmark = pytest.mark.lab


def _netns_pids(namespace: str) -> list[int]:
    out = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True, check=True)
    return [int(p) for p in out.stdout.split()]


def _lab_processes(lab_dir: Path) -> list[str]:
    """Processes whose command line names a lab namespace or the lab dir (FRR -N, sshd -f, snmpd -c)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmd = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if " pdc-" in cmd or str(lab_dir) in cmd:
                found.append(f"{entry.name} {cmd[:80]}")
    return found


def test_up_recovers_from_a_crash_and_from_another_checkouts_leftovers(lab: LabStatus, provdc_cli) -> None:  # type: ignore[no-untyped-def]
    router, host = lab.of_kind("router")[0], lab.of_kind("host")[0]
    crashed_vcsim = lab_status(detail=False).services["vcsim"]["pid"]
    for ns in (router.namespace, host.namespace):  # a crashed run: its processes die, its objects stay
        for pid in _netns_pids(ns):
            os.kill(pid, signal.SIGKILL)
    LabPaths.current().state_file.unlink()
    subprocess.run(["ip", "netns", "add", "pdc-zz-stale"], check=True)  # as if from another checkout
    subprocess.run(["ip", "link", "add", "pdcm9998", "type", "veth", "peer", "name", "pdcm9999"], check=True)
    result = provdc_cli("lab", "up", "--scale", lab.scale or "small")
    assert result.returncode == 0, result.stderr
    after = lab_status()
    assert after.up
    assert [n.name for n in after.nodes] == [n.name for n in lab.nodes]
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
    assert "pdcm9998" not in links and "pdcm9999" not in links
    assert not Path("/run/netns/pdc-zz-stale").exists()
    assert crashed_vcsim not in vcsim_pids()
    assert after.services["vcsim"]["pid"] in vcsim_pids()


def test_up_of_a_healthy_lab_keeps_it(lab: LabStatus, provdc_cli) -> None:  # type: ignore[no-untyped-def]
    before = lab_status()
    result = provdc_cli("lab", "up", "--scale", lab.scale or "small")
    assert result.returncode == 0, result.stderr
    assert "already up" in result.stderr
    assert lab_status().nodes[0].processes == before.nodes[0].processes


def test_down_leaves_nothing_behind(lab: LabStatus, provdc_cli) -> None:  # type: ignore[no-untyped-def]
    lab_dir = LabPaths.current().root
    assert vcsim_pids()
    try:
        result = provdc_cli("lab", "down")
        assert result.returncode == 0, result.stderr
        assert vcsim_pids() == []
        assert "vcsim" not in lab_status(detail=False).services
        netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
        assert [line for line in netns.splitlines() if line.startswith("pdc-")] == []
        links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
        assert [line for line in links.splitlines() if ": pdcm" in line] == []
        lo = subprocess.run(
            ["ip", "-o", "addr", "show", "dev", "lo"], capture_output=True, text=True, check=True
        ).stdout
        assert lab.mgmt_source is not None and f" {lab.mgmt_source}/" not in lo
        routes = subprocess.run(
            ["ip", "route", "show", "table", "all"], capture_output=True, text=True, check=True
        ).stdout
        assert "pdcm" not in routes
        assert _lab_processes(lab_dir) == []
        mounts = Path("/proc/self/mountinfo").read_text()
        assert "pdc-" not in mounts and str(lab_dir) not in mounts
        assert list(Path("/etc/frr").glob("pdc-*")) == [] and list(Path("/var/run/frr").glob("pdc-*")) == []
        assert not lab_status().up
    finally:
        restored = provdc_cli("lab", "up", "--scale", lab.scale or "small")
    assert restored.returncode == 0, restored.stderr
