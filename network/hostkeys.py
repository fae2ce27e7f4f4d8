"""SSH host-key checking for NAPALM's ios (netmiko) and junos (PyEZ over ncclient) drivers.

Outside the lab (`host_keys: strict`) a router's key must be in the target's known_hosts file:
netmiko gets `ssh_strict` (paramiko's RejectPolicy) with that file as `alt_key_file`; PyEZ gets
`hostkey_verify` and an ssh_config naming the file as `UserKnownHostsFile`, the one place ncclient
reads a known_hosts path from. FRR's own driver takes `host_keys` and `known_hosts` directly.
An unknown or changed key is reason `hostkey`.
"""

import hashlib
import os
from pathlib import Path
from typing import Any

from provdc.inventory import state_dir
from provdc.inventory.targets import DeviceAccess
from provdc.network.errors import DeviceError

# Words the transports use when a host key is unknown or changed (paramiko, ncclient).
_MARKS = ("known_hosts", "host key", "hostkey", "badhostkey", "sshunknownhost")


def known_hosts_file(access: DeviceAccess) -> Path:
    path = Path(access.known_hosts).expanduser().absolute()
    if access.host_keys == "strict" and not path.is_file():
        raise DeviceError("hostkey", f"known_hosts file {path} does not exist: no host key can be checked")
    return path


def _junos_ssh_config(known_hosts: Path) -> Path:
    """An ssh_config that points ncclient at the target's known_hosts (one per file, reused)."""
    folder = state_dir() / "ssh"
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256(str(known_hosts).encode()).hexdigest()[:16]
    path = folder / f"known-hosts-{name}.config"
    text = f"Host *\n    UserKnownHostsFile {known_hosts}\n    StrictHostKeyChecking yes\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


def optional_args(platform: str, access: DeviceAccess) -> dict[str, Any]:
    """The NAPALM optional_args that make `platform`'s transport check host keys."""
    if access.host_keys != "strict":
        return {}
    known = known_hosts_file(access)
    if platform == "cisco_ios":
        return {
            "ssh_strict": True,
            "system_host_keys": False,
            "alt_host_keys": True,
            "alt_key_file": str(known),
            "ssh_config_file": None,
        }
    if platform == "juniper_junos":
        return {"ssh_config_file": str(_junos_ssh_config(known))}
    return {}


def enforce(driver: Any, platform: str, access: DeviceAccess) -> None:
    """After the driver is built: NAPALM's junos driver gives PyEZ no hostkey_verify argument, and
    PyEZ then connects with hostkey_verify=False; its Device keeps the flag it passes to ncclient."""
    if platform == "juniper_junos" and access.host_keys == "strict":
        driver.device._hostkey_verify = True


def is_hostkey_failure(exc: BaseException) -> bool:
    """True when `exc`, or an exception it wraps, says the host key was unknown or changed."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        text = f"{type(seen).__name__} {seen}".lower()
        if any(mark in text for mark in _MARKS):
            return True
        seen = getattr(seen, "_orig", None) or seen.__cause__ or seen.__context__
    return False
