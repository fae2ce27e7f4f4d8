"""YAML resource limits: a hostile file under the size limit is refused in bounded time and memory.

Each case runs `provdc inventory validate` in a child process; its peak RSS comes from the kernel
(VmHWM in /proc), its time from the clock, not from the loader.
"""

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from provdc.inventory.source import MAX_FILE_BYTES


def _billion_laughs() -> bytes:
    lines = ['a0: &a0 ["lol"' + ',"lol"' * 9 + "]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return ("\n".join(lines) + "\ncommunes: [*a8]\n").encode()


def _empty_maps() -> bytes:
    body = b"communes:\n" + b"- {}\n" * ((MAX_FILE_BYTES - 20) // 5)
    assert len(body) <= MAX_FILE_BYTES
    return body


def _nested(depth: int) -> Callable[[], bytes]:
    return lambda: b"communes: " + b"[" * depth + b"]" * depth + b"\n"


CASES: list[tuple[str, Callable[[], bytes], int]] = [
    ("billion-laughs", _billion_laughs, 1),  # refused at the first anchor
    ("8-MiB-of-empty-maps", _empty_maps, -1),  # refused where the node limit is crossed
    ("nested-500", _nested(500), 1),
    ("nested-999", _nested(999), 1),
    ("self-alias", lambda: b"communes: &a [*a]\n", 1),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_yaml_is_refused_fast_and_small(
    case: tuple[str, Callable[[], bytes], int], tmp_path: Path
) -> None:
    name, make, line = case
    path = tmp_path / "bomb.yml"
    path.write_bytes(make())
    # The loader alone (the CLI's import time is not the loader's): parse the one file.
    code = (
        "import sys, time; from pathlib import Path;"
        "from provdc.inventory.source import read_document;"
        "t = time.process_time(); r = read_document(Path(sys.argv[1]), 'bomb.yml');"
        "print(r); print(time.process_time() - t);"
        "print(next(ln.split()[1] for ln in open('/proc/self/status') if ln.startswith('VmHWM:')))"
    )
    run = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out, cpu, peak = run.stdout.strip().splitlines()
    elapsed = float(cpu)  # CPU seconds of the read alone: other jobs on the machine do not count
    peak_kib = int(peak)  # the kernel's peak RSS of this process image (VmHWM; ru_maxrss survives exec)
    assert out.startswith("bomb.yml:") and out.endswith("[yaml]"), out
    if line > 0:
        assert out.startswith(f"bomb.yml:{line}:"), out
    assert elapsed < 2, f"{name}: {elapsed:.1f} s"
    assert peak_kib < 200 * 1024, f"{name}: {peak_kib / 1024:.0f} MiB"


def test_cli_refuses_the_bomb_with_one_line(inventory_copy: Path, provdc_cli: Any) -> None:
    (inventory_copy / "bomb.yml").write_bytes(_billion_laughs())
    run = provdc_cli("inventory", "validate", str(inventory_copy), timeout=60)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert lines[0].endswith(
        "bomb.yml:1: malformed YAML: anchor &a0 is not allowed: write the value out [yaml]"
    )


def test_shipped_inventory_needs_no_anchor() -> None:
    from provdc.inventory import default_inventory_path

    texts = [p.read_text(encoding="utf-8") for p in Path(default_inventory_path()).glob("*.yml")]
    assert texts
    import yaml

    for text in texts:
        events = list(yaml.parse(text, Loader=yaml.CSafeLoader))
        assert not any(getattr(e, "anchor", None) for e in events)


def test_report_is_capped(inventory_copy: Path) -> None:
    from provdc.inventory.loader import MAX_PROBLEMS, check_inventory

    (inventory_copy / "many.yml").write_text("communes:\n" + "- {}\n" * 1000)
    result = check_inventory(inventory_copy)
    assert len(result.problems) == MAX_PROBLEMS + 1
    assert result.problems[-1].code == "too-many"
    # each empty commune misses code, name and circuit_id (type and district, or hub and admin,
    # are asked for once those are there: a two-tier commune has the second pair)
    assert result.problems[-1].message == f"… and {3 * 1000 - MAX_PROBLEMS} more problem(s)"
