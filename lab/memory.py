"""Memory the lab's processes use, per namespace: proportional set size (PSS) from /proc."""

from collections.abc import Iterable
from pathlib import Path

from provdc.lab.system import pids_in


def pss_kib(pid: int) -> int:
    """A process's PSS in KiB (shared pages split among their users), 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def memory_by_namespace(namespaces: Iterable[str]) -> dict[str, int]:
    """KiB of PSS of every process in each namespace (one scan of /proc)."""
    return {ns: sum(pss_kib(p) for p in pids) for ns, pids in pids_in(namespaces).items()}
