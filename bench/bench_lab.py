"""`provdc lab up --scale small`: wall time and peak memory, after first-time setup.

Peer: the same lab brought up one node at a time (one worker instead of the default pool), so
the ratio shows what starting nodes side by side buys; the issue's goal is under 60 s.
Runs as root under the lab lock; leaves the lab as it found it (up or down).
"""

import fcntl
import threading
import time
from pathlib import Path

from runner import Row

from provdc.lab import lifecycle
from provdc.lab.memory import memory_by_namespace
from provdc.lab.status import lab_status
from provdc.lab.system import namespaces
from provdc.lab.topology import PREFIX

LOCK = Path("/run/provdc-lab-session.lock")


class PeakMemory:
    """Samples the PSS of every lab process every 0.25 s while running."""

    def __init__(self) -> None:
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, sum(memory_by_namespace(namespaces(PREFIX)).values()))
            self._stop.wait(0.25)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _timed_up(workers: int) -> tuple[float, int, int]:
    lifecycle.down()
    lifecycle.WORKERS = workers
    with PeakMemory() as mem:
        start = time.perf_counter()
        record = lifecycle.up("small")
        wall = time.perf_counter() - start
    return wall, mem.peak_kib, len(record.nodes)


def run() -> list[Row]:
    with LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        was_up = lab_status(detail=False).up
        default = lifecycle.WORKERS
        try:
            ours, peak, nodes = _timed_up(default)
            routers = [n for n in lab_status().nodes if n.kind != "host"]
            per_router = sorted(n.memory_kib for n in routers)[len(routers) // 2]
            peer, _, _ = _timed_up(1)
        finally:
            lifecycle.WORKERS = default
            if was_up:
                lifecycle.up("small")
            else:
                lifecycle.down()
    return [
        Row(
            f"lab up --scale small ({nodes} nodes)",
            ours,
            "same lab, one node at a time",
            peer,
            f"{default} workers; peak {peak // 1024} MiB PSS, median router {per_router // 1024} MiB;"
            " goal < 60 s",
        )
    ]
