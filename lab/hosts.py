"""Lab hosts: Debian root filesystems standing in for DC VMs, each in its own namespaces with sshd.

A host is the shared, read-only debootstrap rootfs ($PROVDC_CACHE/lab/rootfs, built by
scripts/setup.d/30-lab-rootfs.sh) under its own overlayfs upper layer, in its own network, mount,
UTS and PID namespaces (host-init.sh is its PID 1). No systemd: services start from init scripts.
The host's mounts live only in its mount namespace, so the machine's mount table stays clean.
"""

import os
import shutil
import subprocess
import time
from importlib.resources import files
from ipaddress import IPv4Network
from pathlib import Path

from provdc.core.errors import ProvdcError
from provdc.core.processes import alive
from provdc.inventory.model import Inventory
from provdc.lab.paths import LabPaths
from provdc.lab.system import in_netns, read_pid
from provdc.lab.topology import Node, Topology

ENV_CACHE = "PROVDC_CACHE"
START_DEADLINE = 40.0  # seconds for a host's PID 1 and sshd, generous for a loaded machine
HOST_USER_UID = 1000  # `provdc` in the rootfs (useradd in the setup step)


def cache_dir() -> Path:
    return Path(os.environ.get(ENV_CACHE, "/var/cache/provdc")) / "lab"


def rootfs() -> Path:
    root = (cache_dir() / "rootfs").resolve()  # this version stays in use while the host runs
    if not (root / "usr/sbin/sshd").exists():
        raise ProvdcError(f"lab: no host root filesystem in {root}; run 'bash scripts/setup.sh lab-rootfs'")
    return root


def host_lans(inv: Inventory, topo: Topology) -> dict[str, tuple[int, str]]:
    """Each host's DC LAN (prefix length, gateway), from its VM's port group."""
    groups = {pg.name: pg.network for pg in inv.vsphere.port_groups}
    dc_lans = {lan.network: lan.gateway for lan in inv.sites["dc"].lans} if "dc" in inv.sites else {}
    result: dict[str, tuple[int, str]] = {}
    for node in topo.nodes:
        if node.kind != "host":
            continue
        vm = next(v for v in topo.hosts if v.name == node.name)
        net: IPv4Network = groups.get(vm.nics[0].port_group, IPv4Network(f"{vm.address}/24", strict=False))
        result[node.short] = (net.prefixlen, str(dc_lans.get(net, net.network_address + 1)))
    return result


def host_dir(paths: LabPaths, node: Node) -> Path:
    return paths.root / "hosts" / node.namespace


def _prepare_upper(paths: LabPaths, node: Node, upper: Path) -> None:
    """The host's own files, written into its upper layer before the overlay is mounted."""
    etc = upper / "etc"
    (etc / "ssh" / "sshd_config.d").mkdir(parents=True)
    (etc / "hostname").write_text(node.name + "\n", encoding="utf-8")
    (etc / "hosts").write_text(f"127.0.0.1 localhost\n{node.mgmt_address} {node.name}\n", encoding="utf-8")
    key = paths.host_key(node.short)
    shutil.copy(key, etc / "ssh" / "ssh_host_ed25519_key")
    shutil.copy(key.with_suffix(".pub"), etc / "ssh" / "ssh_host_ed25519_key.pub")
    os.chmod(etc / "ssh" / "ssh_host_ed25519_key", 0o600)
    (etc / "ssh" / "sshd_config.d" / "provdc-lab.conf").write_text(
        f"# provdc lab\nListenAddress {node.mgmt_address}:22\nHostKey /etc/ssh/ssh_host_ed25519_key\n",
        encoding="utf-8",
    )
    home = upper / "home" / "provdc"
    (home / ".ssh").mkdir(parents=True)
    shutil.copy(paths.authorized_keys, home / ".ssh" / "authorized_keys")
    for p, mode in ((home, 0o755), (home / ".ssh", 0o700), (home / ".ssh" / "authorized_keys", 0o600)):
        os.chown(p, HOST_USER_UID, HOST_USER_UID)
        os.chmod(p, mode)


def start_host(paths: LabPaths, inv: Inventory, topo: Topology, node: Node) -> None:
    lower = rootfs()
    d = host_dir(paths, node)
    shutil.rmtree(d, ignore_errors=True)
    upper, work, merged = d / "upper", d / "work", d / "root"
    for p in (upper, work, merged):
        p.mkdir(parents=True)
    _prepare_upper(paths, node, upper)
    script = Path(str(files("provdc.lab") / "host-init.sh"))
    cmd = in_netns(
        node.namespace,
        "unshare",
        "--mount",
        "--uts",
        "--pid",
        "--fork",
        "--propagation",
        "private",
        "/bin/sh",
        str(script),
        str(lower),
        str(upper),
        str(work),
        str(merged),
        str((cache_dir() / "apt-repo").resolve()),
        node.name,
    )
    with open(d / "init.log", "wb") as log:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    (d / "unshare.pid").write_text(f"{proc.pid}\n", encoding="utf-8")
    _wait_init(d, proc)


def _wait_init(d: Path, proc: "subprocess.Popen[bytes]") -> None:
    """Wait for the host's PID 1 and its sshd; record PID 1 (as the machine sees it) for nsenter."""
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = (d / "init.log").read_text(errors="replace").strip().splitlines()[-1:]
            raise ProvdcError(f"lab: host {d.name} did not start: {tail[0] if tail else 'no output'}")
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        try:
            init = int(children.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            time.sleep(0.05)
            continue
        (d / "init.pid").write_text(f"{init}\n", encoding="utf-8")
        if _sshd_running(init):
            return
        time.sleep(0.05)
    raise ProvdcError(
        f"lab: host {d.name}: sshd did not start within {START_DEADLINE:.0f} s (see {d / 'init.log'})"
    )


def _sshd_running(init: int) -> bool:
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if Path(entry.path, "comm").read_text().strip() == "sshd" and _ancestor(
                    int(entry.name), init
                ):
                    return True
            except OSError:
                continue
    return False


def _ancestor(pid: int, of: int) -> bool:
    for _ in range(8):
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
        if pid == of:
            return True
        if pid <= 1:
            return False
    return False


def init_pid(paths: LabPaths, node: Node) -> int | None:
    pid = read_pid(host_dir(paths, node) / "init.pid")
    return pid if pid is not None and alive(pid) else None


def host_pids(paths: LabPaths, node: Node) -> dict[str, int | None]:
    init = init_pid(paths, node)
    sshd = None
    if init is not None:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    comm = Path(entry.path, "comm").read_text().strip()
                except OSError:
                    continue
                if comm == "sshd" and _ancestor(int(entry.name), init):
                    sshd = int(entry.name)
                    break
    return {"init": init, "sshd": sshd}
