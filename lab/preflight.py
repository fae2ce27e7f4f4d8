"""What the lab needs from the machine, checked before anything is touched: one line when missing."""

import os
import subprocess
from pathlib import Path

from provdc.core.errors import ProvdcError
from provdc.lab.system import require_tools

TOOLS = (
    "ip",
    "unshare",
    "nsenter",
    "ssh-keygen",
    "vtysh",
    "/usr/lib/frr/zebra",
    "/usr/lib/frr/bgpd",
    "/usr/lib/frr/staticd",
    "/usr/sbin/sshd",
    "/usr/sbin/snmpd",
)
PROBE = "pdc-probe"


def preflight(kernel: bool = True) -> None:
    if os.geteuid() != 0:
        raise ProvdcError("lab: needs root (network namespaces, veth pairs, mounts); run it as root")
    require_tools(*TOOLS)
    if kernel:
        _probe_kernel()


def _probe_kernel() -> None:
    """A network namespace and a veth pair in it, made and removed again."""
    steps = [
        ["ip", "netns", "add", PROBE],
        ["ip", "-n", PROBE, "link", "add", "p0", "type", "veth", "peer", "name", "p1"],
    ]
    try:
        for cmd in steps:
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                what = "network namespaces" if "netns" in cmd else "veth pairs"
                reason = proc.stderr.strip().splitlines()[0] if proc.stderr.strip() else "failed"
                raise ProvdcError(f"lab: this kernel does not give {what} ({reason})")
    finally:
        subprocess.run(["ip", "netns", "delete", PROBE], capture_output=True, check=False)
    if "overlay" not in Path("/proc/filesystems").read_text():
        raise ProvdcError("lab: this kernel has no overlayfs (needed by the lab hosts)")
