"""Waves, gate verdicts, the backups folder (real git) and the commands' bad-input paths."""

import subprocess
from pathlib import Path
from typing import Any

import pytest

from provdc.core.errors import ProvdcError
from provdc.network.backups import BackupRepo, complete
from provdc.network.errors import DeviceError
from provdc.network.gates import Snapshot, verdict
from provdc.network.waves import split_waves, wave_ends

HEALTHY = Snapshot(reachable=True, wan_up=True, bgp_up=True, pe_prefixes=200)


@pytest.mark.parametrize(
    ("spec", "total", "ends"),
    [
        ("1,10%,100%", 37, [1, 4, 37]),
        ("1,10%,100%", 1, [1]),
        ("50%", 5, [3, 5]),
        ("4,100%", 5, [4, 5]),
        ("2,2,3", 10, [2, 3, 10]),
    ],
)
def test_wave_ends(spec: str, total: int, ends: list[int]) -> None:
    assert wave_ends(spec, total) == ends


def test_waves_cover_every_device_once() -> None:
    items = list(range(23))
    waves = split_waves(items, "1,10%,50%")
    assert [len(w) for w in waves] == [1, 2, 9, 11]
    assert [i for w in waves for i in w] == items


@pytest.mark.parametrize("spec", ["abc", "0", "-1", "150%", "1,x%"])
def test_bad_waves(spec: str) -> None:
    with pytest.raises(ProvdcError, match="--waves"):
        wave_ends(spec, 10)


@pytest.mark.parametrize(
    ("after", "problem"),
    [
        (HEALTHY, None),
        (Snapshot(False, False, False, 0), "unreachable"),
        (Snapshot(True, False, False, 0), "WAN"),
        (Snapshot(True, True, False, 0), "BGP"),
        (Snapshot(True, True, True, 0), "no routes"),
    ],
)
def test_gate_verdict(after: Snapshot, problem: str | None) -> None:
    found = verdict(HEALTHY, after)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_gate_does_not_blame_a_router_already_down() -> None:
    down = Snapshot(True, False, False, 0)
    assert verdict(down, down) is None


def test_backups_git_one_commit_per_run(tmp_path: Path) -> None:
    repo = BackupRepo("lab", tmp_path)
    repo.write("ce-a", "frr", "frr version 8.4.4\n!\nend\n")
    repo.write("ce-b", "frr", "frr version 8.4.4\nhostname b\n!\nend\n")
    first = repo.commit("run 1")
    assert first is not None
    assert repo.commit("run 2: nothing new") is None
    repo.write("ce-a", "frr", "frr version 8.4.4\nhostname a\n!\nend\n")
    assert repo.commit("run 3") is not None
    log = subprocess.run(
        ["git", "-C", str(tmp_path / "lab"), "log", "--format=%s"], capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert log[:2] == ["run 3", "run 1"]


def test_truncated_backup_is_refused(tmp_path: Path) -> None:
    repo = BackupRepo("lab", tmp_path)
    with pytest.raises(DeviceError) as err:
        repo.write("ce-a", "frr", "frr version 8.4.4\ninterface wan0\n ip addr")
    assert err.value.reason == "backup"
    assert not (tmp_path / "lab" / "ce-a.cfg").exists()
    assert complete("juniper_junos", "system { host-name a; }") and not complete("juniper_junos", "system {")


def test_push_unknown_target_one_line(provdc_cli: Any) -> None:
    done = provdc_cli("net", "push", "--target", "nowhere")
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "no target 'nowhere'" in done.stderr


def test_push_bad_waves_one_line(provdc_cli: Any) -> None:
    """Rejected before any device is contacted (the waves are split first)."""
    done = provdc_cli("net", "push", "--target", "prod", "--site", "com-1050*", "--waves", "abc")
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "--waves abc" in done.stderr


def test_render_writes_one_file_per_hostname(provdc_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = provdc_cli("net", "render", "--out", str(out))
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 270 and "ce-11293-hong-phong.cfg" in names and "dr-core-1.conf" in names


@pytest.mark.parametrize("args", [("render", "--site", "no-such-*"), ("render", "--platform", "vyos")])
def test_render_bad_input_one_line(provdc_cli: Any, args: tuple[str, ...]) -> None:
    done = provdc_cli("net", *args)
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
