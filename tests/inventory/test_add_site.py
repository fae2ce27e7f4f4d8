"""`inventory add-site` as several people or jobs run it: locked, minimal, atomic, never a lost site."""

import difflib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from provdc.inventory import load_inventory

ARGS = ("--type", "xa", "--district", "298")


def add_site_cmd(inventory: Path, code: str, name: str) -> list[str]:
    return [
        *(sys.executable, "-m", "provdc", "inventory", "add-site", "-i", str(inventory)),
        "--code",
        code,
        "--name",
        name,
        "--circuit-id",
        f"VNPT-HDG-C{code}",
        *ARGS,
    ]


def test_one_block_appended_every_other_line_kept(inventory_copy: Path, provdc_cli: Any) -> None:
    communes = inventory_copy / "communes.yml"
    before = communes.read_text(encoding="utf-8").splitlines(keepends=True)
    run = provdc_cli(*add_site_cmd(inventory_copy, "11300", 'Xã "Tân" Kỳ')[3:])
    assert run.returncode == 0, run.stderr
    after = communes.read_text(encoding="utf-8").splitlines(keepends=True)
    ops = [
        op
        for op in difflib.SequenceMatcher(a=before, b=after, autojunk=False).get_opcodes()
        if op[0] != "equal"
    ]
    assert len(ops) == 1 and ops[0][0] == "insert", ops  # nothing removed or changed, one run of new lines
    added = after[ops[0][3] : ops[0][4]]
    assert added[0].startswith("  - code: ") and all(line.startswith("    ") for line in added[1:])
    entry = yaml.safe_load("".join(line[2:] for line in added))[0]
    assert entry == {
        "code": "11300",
        "name": 'Xã "Tân" Kỳ',
        "type": "xa",
        "district": "298",
        "circuit_id": "VNPT-HDG-C11300",
    }
    assert yaml.safe_load("".join(after))["communes"][-1] == entry
    assert load_inventory(inventory_copy).sites["com-11300"].name == 'Xã "Tân" Kỳ'


def test_mode_and_symlink_are_kept(inventory_copy: Path, provdc_cli: Any) -> None:
    real = inventory_copy / "data" / "communes.source"  # not a .yml: read only through the link
    real.parent.mkdir()
    (inventory_copy / "communes.yml").rename(real)
    (inventory_copy / "communes.yml").symlink_to(Path("data") / "communes.source")
    real.chmod(0o640)
    run = provdc_cli(*add_site_cmd(inventory_copy, "11300", "Xã Một")[3:])
    assert run.returncode == 0, run.stderr
    assert (inventory_copy / "communes.yml").is_symlink()
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert "11300" in real.read_text(encoding="utf-8")
    assert not [p for p in inventory_copy.rglob("*") if p.name.endswith(".tmp")]


def test_backups_are_unique_within_one_second(inventory_copy: Path, provdc_cli: Any) -> None:
    communes = inventory_copy / "communes.yml"
    states = []
    backups = []
    for code in ("11300", "11301", "11302"):
        states.append(communes.read_bytes())
        run = provdc_cli(*add_site_cmd(inventory_copy, code, f"Xã {code}")[3:], "--format", "json")
        assert run.returncode == 0, run.stderr
        backups.append(Path(json.loads(run.stdout)["backup"]))
    assert len({b.parent for b in backups}) == 3
    assert [b.read_bytes() for b in backups] == states


def test_refusal_names_the_users_file_and_line(inventory_copy: Path, provdc_cli: Any) -> None:
    communes = inventory_copy / "communes.yml"
    original = communes.read_bytes()
    run = provdc_cli(*add_site_cmd(inventory_copy, "10507", "Trùng")[3:])
    assert run.returncode == 1 and "Traceback" not in run.stderr
    line = run.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "inventory/communes.yml:" in line and "provdc-add-site" not in line
    first = original.decode().splitlines().index('  - code: "10507"') + 1
    assert f"communes.yml:{first}" in line  # the site that already holds the code
    assert communes.read_bytes() == original


@pytest.mark.parametrize("runners", [2, 5])
def test_parallel_runs_never_lose_a_site(inventory_copy: Path, runners: int) -> None:
    """Rounds of add-site at once on one copy: each lands, or fails in one clear line (ten runs in all)."""
    code = 11300
    landed: list[str] = []
    for _ in range(10 // runners):
        codes = [str(code + i) for i in range(runners)]
        code += runners
        procs = [
            subprocess.Popen(
                add_site_cmd(inventory_copy, c, f"Xã {c}"),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for c in codes
        ]
        for c, proc in zip(codes, procs, strict=True):
            _, err = proc.communicate(timeout=300)
            assert proc.returncode in (0, 1), err
            assert "Traceback" not in err
            if proc.returncode == 0:
                landed.append(c)
            else:
                assert len(err.strip().splitlines()) == 1, err
        sites = load_inventory(inventory_copy).sites
        assert {f"com-{c}" for c in landed} <= set(sites), "a site that was reported added is missing"
    assert landed, "no run got through"


def test_kill_nine_leaves_no_copy_and_a_valid_file(inventory_copy: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    for n, delay in enumerate((0.3, 0.6, 0.9, 1.2, 1.5)):
        proc = subprocess.Popen(
            add_site_cmd(inventory_copy, str(11300 + n), f"Xã {n}"),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        load_inventory(inventory_copy)  # whole and valid after every kill
    assert list(scratch.iterdir()) == []
    assert not [p for p in inventory_copy.rglob("*") if p.name.endswith(".tmp")]
