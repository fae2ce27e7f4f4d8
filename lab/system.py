"""Thin wrappers over the machine: commands, `ip -batch`, namespaces and their processes."""

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from provdc.core.errors import ProvdcError
from provdc.core.processes import alive

NETNS_DIR = Path("/run/netns")


def run(cmd: Sequence[str], *, check: bool = True, timeout: float = 60, input: str | None = None) -> str:
    """Run a command; on failure raise ProvdcError with its first stderr line."""
    try:
        proc = subprocess.run(
            list(cmd), capture_output=True, text=True, timeout=timeout, input=input, check=False
        )
    except FileNotFoundError:
        raise ProvdcError(f"{cmd[0]}: not installed (run scripts/setup.sh)") from None
    except subprocess.TimeoutExpired:
        raise ProvdcError(f"{' '.join(cmd[:4])}: no answer within {timeout:.0f} s") from None
    if check and proc.returncode != 0:
        first = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise ProvdcError(f"{' '.join(cmd[:4])}: {first[0] if first else f'exit {proc.returncode}'}")
    return proc.stdout


def ip_batch(lines: Iterable[str], netns: str | None = None, *, force: bool = False) -> None:
    """Many `ip` commands in one process (fast); `force` goes on past errors (cleanup)."""
    text = "\n".join(lines) + "\n"
    if not text.strip():
        return
    cmd = ["ip", *(["-n", netns] if netns else []), *(["-force"] if force else []), "-batch", "-"]
    proc = subprocess.run(cmd, input=text, capture_output=True, text=True, check=False, timeout=120)
    if proc.returncode != 0 and not force:
        errors = proc.stderr.strip().splitlines()
        failed = next((e for e in errors if e.startswith("Command failed -:")), "")
        line = int(failed.rsplit(":", 1)[1]) if failed[-1:].isdigit() else 0
        where = f" at '{text.splitlines()[line - 1]}'" if 0 < line <= len(text.splitlines()) else ""
        raise ProvdcError(f"ip{' -n ' + netns if netns else ''}: {errors[0] if errors else 'failed'}{where}")


def in_netns(netns: str, *cmd: str) -> list[str]:
    return ["ip", "netns", "exec", netns, *cmd]


def namespaces(prefix: str) -> list[str]:
    """Network namespaces whose name starts with `prefix`."""
    if not NETNS_DIR.is_dir():
        return []
    return sorted(p.name for p in NETNS_DIR.iterdir() if p.name.startswith(prefix))


def _inode(path: Path) -> int | None:
    try:
        return path.stat().st_ino
    except OSError:
        return None


def pids_in(netns_names: Iterable[str]) -> dict[str, list[int]]:
    """The processes of each namespace, found by one scan of /proc."""
    by_inode = {ino: name for name in netns_names if (ino := _inode(NETNS_DIR / name)) is not None}
    found: dict[str, list[int]] = {name: [] for name in by_inode.values()}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        ino = _inode(Path(entry.path) / "ns" / "net")
        if ino in by_inode:
            found[by_inode[ino]].append(int(entry.name))
    return found


def kill_all(pids: Iterable[int], grace: float = 3.0) -> None:
    """SIGTERM, then SIGKILL what is still there after `grace` seconds."""
    pids = list(pids)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(alive(p) for p in pids):
            time.sleep(0.05)
        pids = [p for p in pids if alive(p)]
        if not pids:
            return


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def require_tools(*names: str) -> None:
    missing = [n for n in names if shutil.which(n) is None and not Path(n).exists()]
    if missing:
        raise ProvdcError(f"lab: {', '.join(missing)} not installed (run scripts/setup.sh)")
