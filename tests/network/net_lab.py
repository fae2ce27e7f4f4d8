"""Independent reads and writes of lab routers: FRR's own tools in the router's namespaces
(nsenter), never the code under test. They check what the pusher did and put the lab back."""

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

FRR_RELOAD = "/usr/lib/frr/frr-reload.py"
# What vtysh keeps to itself (never in a daemon's config): frr-reload lists them every time.
VTYSH_ONLY = ("banner motd", "no banner motd", "service integrated-vtysh-config")


@dataclass(frozen=True)
class LabRouter:
    hostname: str
    site: str
    namespace: str


def inside(router: LabRouter) -> list[str]:
    """Enter the router's network and UTS namespaces (FRR reports the UTS hostname), as zebra."""
    pid = Path(f"/var/run/frr/{router.namespace}/zebra.pid").read_text().strip()
    return ["nsenter", "-t", pid, "-n", "-u"]


def vtysh(router: LabRouter, *commands: str) -> str:
    args = [a for c in commands for a in ("-c", c)]
    done = subprocess.run(
        [*inside(router), "vtysh", "-N", router.namespace, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def running(router: LabRouter) -> str:
    """The running config without vtysh's two header lines."""
    lines = vtysh(router, "show running-config").splitlines()
    while lines and (not lines[0].strip() or lines[0].startswith(("Building", "Current configuration"))):
        lines.pop(0)
    return "\n".join(lines) + "\n"


def reload_delta(router: LabRouter, config: str, work: Path) -> list[str]:
    """frr-reload.py --test against `config`: the lines it would change (empty: FRR has it)."""
    path = work / f"{router.namespace}.conf"
    path.write_text(config, encoding="utf-8")
    done = subprocess.run(
        [*inside(router), FRR_RELOAD, "--test", "-N", router.namespace, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    changes, section = [], False
    for line in done.stdout.splitlines():
        if line in ("Lines To Delete", "Lines To Add"):
            section = True
        elif section and line.strip() and not line.startswith(("===", "frr version", *VTYSH_ONLY)):
            changes.append(line)
    return changes


def restore(router: LabRouter, config: str, work: Path) -> None:
    """Put a router back to `config` with FRR's own reload, and save it as its frr.conf."""
    path = work / f"{router.namespace}.restore.conf"
    path.write_text(config, encoding="utf-8")
    subprocess.run(
        [*inside(router), FRR_RELOAD, "--reload", "-N", router.namespace, str(path)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    vtysh(router, "write memory")


def have_frr() -> bool:
    return shutil.which("vtysh") is not None and Path(FRR_RELOAD).is_file()
