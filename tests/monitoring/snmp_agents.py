"""Real SNMP agents for the tests: snmpsim replaying recordings of real devices, and net-snmp snmpd.

snmpsim refuses to run as root and drops to nobody:nogroup, so it runs from the venv built by
scripts/setup.d/40-snmpsim.sh and everything it reads is world-readable (pytest's own tmp dirs are
not). The community of a recording is its file's base name.
"""

from __future__ import annotations

import bz2
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(os.environ.get("PROVDC_CACHE", "/var/cache/provdc"))
SNMPSIM = CACHE / "snmpsim"
RESPONDER = SNMPSIM / "bin" / "snmpsim-command-responder"

# community (our name) → recording inside snmpsim_data/data
RECORDINGS = {
    "cisco-c3560": "network/switch/cisco-c3560.snmprec.bz2",
    "huawei-s5720": "network/router/huawei-s5720.snmprec.bz2",
    "juniper-mx960": "network/router/juniper-mx960-12-3r6-6.snmprec.bz2",
    "netapp-fas3270": "storage/netapp-fas3270.snmprec.bz2",
    "hp-oa": "bmc/hp-onboard-administrator.snmprec.bz2",
    "apc-pdu": "UPS/apc-8932.snmprec",
    "huawei-ups": "UPS/huawei-gse200m.snmprec.bz2",
}


def free_udp_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def data_root() -> Path:
    found = sorted(SNMPSIM.glob("lib/python3*/site-packages/snmpsim_data/data"))
    if not found or not RESPONDER.exists():
        raise RuntimeError(f"snmpsim is not installed in {SNMPSIM}: run bash scripts/setup.sh snmpsim")
    return found[0]


def public_dir(prefix: str) -> Path:
    """A temporary folder that nobody:nogroup can read (and a cache dir it can write)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def install_recording(source: Path, dest: Path) -> None:
    data = bz2.decompress(source.read_bytes()) if source.suffix == ".bz2" else source.read_bytes()
    dest.write_bytes(data)
    dest.chmod(0o644)


def snmpget(port: int, community: str, *oids: str, timeout: float = 2) -> str:
    out = subprocess.run(
        [
            "snmpget",
            "-v2c",
            "-c",
            community,
            "-On",
            "-t",
            str(timeout),
            "-r",
            "1",
            f"127.0.0.1:{port}",
            *oids,
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return out.stdout


@dataclass
class Snmpsim:
    """One snmpsim process serving every recording on each of `ports`."""

    ports: list[int]
    data: Path
    process: subprocess.Popen[bytes]
    folder: Path

    @property
    def port(self) -> int:
        return self.ports[0]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_snmpsim(ports: list[int], extra: dict[str, bytes] | None = None, wait: float = 120) -> Snmpsim:
    """Start snmpsim with the recordings (plus `extra` name → snmprec text) and wait until each answers."""
    root = data_root()
    folder = public_dir("provdc-snmpsim-")
    data = folder / "data"
    cache = folder / "cache"
    data.mkdir(mode=0o755)
    cache.mkdir()
    cache.chmod(0o1777)
    for community, rel in RECORDINGS.items():
        install_recording(root / rel, data / f"{community}.snmprec")
    for name, text in (extra or {}).items():
        (data / f"{name}.snmprec").write_bytes(text)
        (data / f"{name}.snmprec").chmod(0o644)
    endpoints = [f"--agent-udpv4-endpoint=127.0.0.1:{p}" for p in ports]
    process = subprocess.Popen(
        [
            str(RESPONDER),
            f"--data-dir={data}",
            f"--cache-dir={cache}",
            *endpoints,
            "--process-user=nobody",
            "--process-group=nogroup",
            "--logging-method=null",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "responder.log", "wb"),  # noqa: SIM115 - the process keeps it
    )
    sim = Snmpsim(ports, data, process, folder)
    deadline = time.monotonic() + wait
    pending = [*RECORDINGS, *(extra or {})]
    while pending and time.monotonic() < deadline:
        if process.poll() is not None:
            log = (folder / "responder.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"snmpsim exited {process.returncode}: {log}")
        if ".1.3.6.1.2.1.1" in snmpget(ports[0], pending[0], "1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.2.0"):
            pending.pop(0)  # the first answer of a recording builds its index: it may take seconds
    if pending:
        sim.stop()
        raise RuntimeError(f"snmpsim did not answer for {pending} within {wait} s")
    return sim


@dataclass
class Snmpd:
    port: int
    user: str
    auth_key: str
    priv_key: str
    community: str
    process: subprocess.Popen[bytes]
    folder: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_snmpd(port: int) -> Snmpd:
    """net-snmp snmpd on 127.0.0.1:port with a v3 authPriv user (SHA/AES) and a v2c community."""
    folder = Path(tempfile.mkdtemp(prefix="provdc-snmpd-"))
    user, auth, priv = "provdc-test", os.urandom(12).hex(), os.urandom(12).hex()
    community = "c" + os.urandom(6).hex()
    conf = folder / "snmpd.conf"
    conf.write_text(
        f"agentAddress udp:127.0.0.1:{port}\n"
        f"createUser {user} SHA {auth} AES {priv}\n"
        f"rouser {user} priv\n"
        f"rocommunity {community} 127.0.0.1\n"
        "sysLocation provdc test\nsysContact noc@example.invalid\n"
    )
    conf.chmod(0o600)
    env = {**os.environ, "SNMP_PERSISTENT_DIR": str(folder / "persist"), "MIBS": ""}
    process = subprocess.Popen(
        [
            "snmpd",
            "-f",
            "-Lf",
            str(folder / "snmpd.log"),
            "-C",
            "-c",
            str(conf),
            "-p",
            str(folder / "pid"),
            "-M",
            "/nonexistent",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    agent = Snmpd(port, user, auth, priv, community, process, folder)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"snmpd exited: {(folder / 'snmpd.log').read_text(errors='replace')[-1000:]}")
        if ".1.3.6.1.2.1.1.3.0" in snmpget(port, community, "1.3.6.1.2.1.1.3.0", timeout=0.5):
            return agent
        time.sleep(0.2)
    agent.stop()
    raise RuntimeError("snmpd did not answer within 20 s")


def net_snmp(tool: str, port: int, auth: list[str], oid: str) -> dict[str, str]:
    """Independent read with net-snmp (`-On`, numeric; values quick-printed): OID suffix → text."""
    out = subprocess.run(
        [tool, *auth, "-On", "-Oq", "-Oe", "-Ot", "-t", "3", "-r", "2", f"127.0.0.1:{port}", oid],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    values: dict[str, str] = {}
    prefix = "." + oid.strip(".")
    for line in out.stdout.splitlines():
        name, _, value = line.partition(" ")
        if value.startswith(("No Such", "No more")):
            continue
        if name.startswith(prefix + ".") or name == prefix:
            values[name[len(prefix) + 1 :]] = value.strip().strip('"')
    return values


def v2c(community: str) -> list[str]:
    return ["-v2c", "-c", community]
