"""The daemons of a lab router: FRR (zebra, bgpd, staticd), sshd and snmpd, in the router's namespace.

Each daemon runs in the router's network namespace and in a UTS namespace carrying the router's
hostname, so FRR, the SSH session and SNMP's sysName all say which router they are. FRR uses the
pathspace `-N <namespace>`: /etc/frr/<ns> and /var/run/frr/<ns> are symlinks into the lab dir.
"""

import grp
import os
import pwd
import shutil
import time
from pathlib import Path

from provdc.core.errors import ProvdcError
from provdc.core.processes import alive
from provdc.inventory.model import SnmpSettings
from provdc.lab.credentials import USER, read_secret
from provdc.lab.paths import FRR_ETC, FRR_RUN, LabPaths
from provdc.lab.system import in_netns, read_pid, run
from provdc.lab.topology import Node

FRR_DAEMONS = ("zebra", "bgpd", "staticd")
FRR_BIN = Path("/usr/lib/frr")


def _in_node(node: Node, hostname: str, *cmd: str) -> list[str]:
    script = 'hostname "$0" && exec "$@"'
    return in_netns(node.namespace, "unshare", "--uts", "sh", "-c", script, hostname, *cmd)


def _chown(path: Path, user: str, group: str) -> None:
    os.chown(path, pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid)


def _relink(link: Path, target: Path) -> None:
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target)


def write_frr(paths: LabPaths, node: Node, config: str) -> None:
    etc, rundir = paths.frr(node.short), paths.frr_run(node.short)
    logdir = paths.node(node.short) / "log"
    for d in (etc, rundir, logdir):
        d.mkdir(parents=True, exist_ok=True)
        _chown(d, "frr", "frr")
        d.chmod(0o775)
    (etc / "frr.conf").write_text(config, encoding="utf-8")
    (etc / "vtysh.conf").write_text("service integrated-vtysh-config\n", encoding="utf-8")
    for f in ("frr.conf", "vtysh.conf"):
        _chown(etc / f, "frr", "frrvty")
        (etc / f).chmod(0o664)
    FRR_RUN.mkdir(parents=True, exist_ok=True)
    _relink(FRR_ETC / node.namespace, etc)
    _relink(FRR_RUN / node.namespace, rundir)


def start_frr(paths: LabPaths, node: Node) -> None:
    """Start zebra first, then the others; load the day-0 config with `vtysh -b`."""
    rundir, logdir = paths.frr_run(node.short), paths.node(node.short) / "log"
    for daemon in FRR_DAEMONS:
        run(
            _in_node(
                node,
                node.name,
                str(FRR_BIN / daemon),
                "-d",
                "-N",
                node.namespace,
                "-u",
                "frr",
                "-g",
                "frr",
                "-P",
                "0",
                "-i",
                str(rundir / f"{daemon}.pid"),
                "--log",
                f"file:{logdir / daemon}.log",
            )
        )
        if daemon == "zebra":
            _wait_for(rundir / "zserv.api", f"{node.name}: zebra did not start")
    for daemon in FRR_DAEMONS:
        _wait_for(rundir / f"{daemon}.vty", f"{node.name}: {daemon} did not start")
    run(["vtysh", "-N", node.namespace, "-b"], timeout=60)


def _wait_for(path: Path, message: str, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise ProvdcError(message)
        time.sleep(0.02)


def write_vtysh_wrapper(paths: LabPaths) -> None:
    """`vtysh` first in PATH of an SSH session: reaches that router's FRR (its pathspace)."""
    paths.bin.mkdir(parents=True, exist_ok=True)
    wrapper = paths.bin / "vtysh"
    wrapper.write_text(
        "#!/bin/sh\n# provdc lab: this SSH session belongs to one router; reach its FRR.\n"
        'exec /usr/bin/vtysh ${FRR_PATHSPACE:+-N "$FRR_PATHSPACE"} "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o755)


def sshd_config(paths: LabPaths, node: Node) -> str:
    d = paths.node(node.short)
    path = f"{paths.bin}:/usr/local/bin:/usr/bin:/bin"
    env = f"FRR_PATHSPACE={node.namespace} PROVDC_LAB_BIN={paths.bin} PATH={path}"
    return "\n".join(
        [
            f"ListenAddress {node.mgmt_address}:22",
            f"HostKey {paths.host_key(node.short)}",
            f"PidFile {d / 'sshd.pid'}",
            f"AuthorizedKeysFile {paths.authorized_keys}",
            # The lab dir may sit under a world-writable folder (a checkout in /tmp), which
            # StrictModes refuses; the key file itself is root's, 0644, written by `up`.
            "StrictModes no",
            f"AllowUsers {USER}",
            "PermitRootLogin no",
            "PasswordAuthentication yes",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "X11Forwarding no",
            "AllowTcpForwarding no",
            "PrintMotd no",
            "MaxStartups 64:30:128",
            "MaxSessions 32",
            f"SetEnv {env}",
            "Subsystem sftp internal-sftp",
            "",
        ]
    )


def start_sshd(paths: LabPaths, node: Node) -> None:
    conf = paths.node(node.short) / "sshd_config"
    conf.write_text(sshd_config(paths, node), encoding="utf-8")
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    run(_in_node(node, node.name, "/usr/sbin/sshd", "-f", str(conf)))


def snmpd_config(
    paths: LabPaths, node: Node, snmp: SnmpSettings, mgmt_networks: list[str], location: str
) -> str:
    """v2c read-only from the management networks, one SNMPv3 authPriv user (the inventory's)."""
    community = read_secret(paths, "snmp-community")
    auth, priv = read_secret(paths, "snmp-auth"), read_secret(paths, "snmp-priv")
    lines = [
        f"agentAddress udp:{node.mgmt_address}:161",
        f"sysLocation {location}",
        "sysContact provdc lab",
        "sysServices 78",
        "dontLogTCPWrappersConnects yes",
        *(f"rocommunity {community} {net}" for net in mgmt_networks),
        f'createUser {snmp.user} {snmp.auth} "{auth}" {snmp.priv} "{priv}"',
        f"rouser {snmp.user} priv",
        "",
    ]
    return "\n".join(lines)


def start_snmpd(paths: LabPaths, node: Node, config: str) -> None:
    d = paths.node(node.short)
    conf, persist = d / "snmpd.conf", d / "snmp"
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(config)
    shutil.rmtree(persist, ignore_errors=True)  # keys are in snmpd.conf; engine boots start fresh
    persist.mkdir(mode=0o700)
    cmd = _in_node(
        node,
        node.name,
        "env",
        f"SNMP_PERSISTENT_DIR={persist}",
        "MIBS=",
        "MIBDIRS=/nonexistent",
        "/usr/sbin/snmpd",
        "-C",
        "-c",
        str(conf),
        "-p",
        str(d / "snmpd.pid"),
        "-Lf",
        str(d / "log" / "snmpd.log"),
    )
    run(cmd)


def node_pids(paths: LabPaths, node: Node) -> dict[str, int | None]:
    """The pid of each daemon of a router (None when its pid file is missing or it died)."""
    d = paths.node(node.short)
    files = {name: paths.frr_run(node.short) / f"{name}.pid" for name in FRR_DAEMONS}
    files |= {"sshd": d / "sshd.pid", "snmpd": d / "snmpd.pid"}
    result: dict[str, int | None] = {}
    for name, f in files.items():
        pid = read_pid(f)
        result[name] = pid if pid is not None and alive(pid) else None
    return result
