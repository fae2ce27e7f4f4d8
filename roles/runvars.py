"""What a run needs from the target: connection, secrets and lab switches, in files deleted after.

Secrets (SNMPv3 keys, the admin key) are resolved at run time from the target's references and
written only to a 0600 extra-vars file inside a 0700 temporary folder that is removed when the
run ends, whatever happens. Nothing of it is printed.
"""

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

from provdc.core.errors import ProvdcError
from provdc.hosts.selection import HostPlan
from provdc.inventory.export_ansible import ansible_inventory, unsafe
from provdc.inventory.model import Inventory
from provdc.inventory.scope import Scope
from provdc.inventory.secrets import secret
from provdc.inventory.targets import DeviceAccess, Target, state_dir


@dataclass(frozen=True)
class Access:
    """How provdc logs in to the hosts of a target."""

    user: str
    key_file: str | None
    password: str | None
    port: int
    lab_host_keys: bool
    known_hosts: str

    def ssh_options(self) -> list[str]:
        if self.lab_host_keys:
            keys = [
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "LogLevel=ERROR",
            ]
        else:
            keys = ["-o", "StrictHostKeyChecking=yes", "-o", f"UserKnownHostsFile={self.known_hosts}"]
        return [*keys, "-o", "ConnectTimeout=10", "-o", "BatchMode=" + ("no" if self.password else "yes")]


def host_access(target: Target) -> Access:
    access: DeviceAccess | None = target.hosts
    if access is None:
        raise ProvdcError(f"target '{target.name}' has no 'hosts:' section (how provdc logs in to the hosts)")
    key = str(Path(access.key_file).expanduser()) if access.key_file else None
    return Access(
        user=secret(access.username_ref),
        key_file=key,
        password=secret(access.password_ref) if access.password_ref else None,
        port=access.ssh_port,
        lab_host_keys=access.host_keys == "lab",
        known_hosts=str(Path(access.known_hosts).expanduser()),
    )


def ca_dir(target: Target) -> Path:
    """The controller folder of the target's internal CA (internal_ca role): its key never leaves it."""
    return state_dir() / "ca" / target.name


def container_like(target: Target) -> bool:
    """Hosts that share the machine's clock and kernel: the lab's, unless its target says otherwise."""
    return target.lab is not None and target.lab.container_like


def public_key(access: Access) -> str | None:
    """The public half of the key provdc logs in with: it stays authorized for the admin account."""
    if not access.key_file:
        return None
    pub = Path(access.key_file + ".pub")
    if pub.is_file():
        return pub.read_text(encoding="utf-8").strip()
    out = subprocess.run(
        ["ssh-keygen", "-y", "-f", access.key_file], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise ProvdcError(f"cannot read the public key of {access.key_file}")
    return out.stdout.strip()


def controller_source(address: str) -> IPv4Address | None:
    """The address this machine uses to reach `address` (what the host's firewall sees)."""
    out = subprocess.run(["ip", "-j", "route", "get", address], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return None
    routes = json.loads(out.stdout or "[]")
    src = routes[0].get("prefsrc") if routes else None
    return IPv4Address(src) if src else None


def management_networks(inv: Inventory, hosts: Sequence[HostPlan], lab: bool) -> list[str] | None:
    """The management networks, plus this machine in the lab; refuses a lock-out elsewhere.

    None when the inventory's networks already cover this machine for every host.
    """
    nets: list[IPv4Network] = list(inv.services.management_networks)
    extra: list[str] = []
    for plan in hosts:
        src = controller_source(plan.address)
        if src is None or any(src in n for n in nets) or f"{src}/32" in extra:
            continue
        if not lab:
            raise ProvdcError(
                f"{plan.name}: this machine reaches {plan.address} from {src}, outside the management "
                f"networks ({', '.join(map(str, nets))}); the firewall would lock provdc out"
            )
        extra.append(f"{src}/32")
    return [*map(str, nets), *extra] if extra else None


def run_vars(
    inv: Inventory, target: Target, hosts: Sequence[HostPlan], overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Extra vars of a run: connection, secrets, lab switches and the user's overrides."""
    access = host_access(target)
    lab = container_like(target)
    ssh_args = " ".join(access.ssh_options())
    out: dict[str, Any] = {
        "ansible_user": access.user,
        "ansible_port": access.port,
        "ansible_ssh_common_args": ssh_args,
        "common_in_lab": lab,
        "hardening_in_lab": lab,
        "log_forwarding_in_lab": lab,
        "internal_ca_dir": str(ca_dir(target)),
        "provdc_province_networks": [str(net) for _, net in inv.ipam.pools()],
        "snmp_agent_auth_key": secret(target.snmp.auth_key_ref),
        "snmp_agent_priv_key": secret(target.snmp.priv_key_ref),
    }
    if access.key_file:
        out["ansible_ssh_private_key_file"] = access.key_file
    if access.password:
        out["ansible_password"] = access.password
    key = public_key(access)
    if key:
        out["common_admin_users"] = [{"name": access.user, "ssh_keys": [key]}]
    nets = management_networks(inv, hosts, lab)
    if nets:
        out["hardening_management_networks"] = nets
    out.update(overrides or {})
    return out


@dataclass(frozen=True)
class RunFiles:
    inventory: Path
    extra_vars: Path
    folder: Path


INVENTORY_SCRIPT = (
    '#!/bin/sh\n# Dynamic inventory: what `provdc inventory export ansible` printed.\nexec cat "{path}"\n'
)


def prometheus_export(scope: Scope, folder: Path) -> Path:
    """What `provdc monitor export prometheus` writes for the scope, in `folder` (the nms role's input)."""
    from provdc.monitoring.prometheus_export import ExportOptions, export

    export(scope, ExportOptions(folder))
    return folder


@contextmanager
def run_files(inv: Inventory, variables: dict[str, Any], scope: Scope | None = None) -> Iterator[RunFiles]:
    """A dynamic inventory script and the 0600 extra-vars file, removed when the block ends.

    Extra vars carry secrets and --set values: like the inventory, each string is marked unsafe, so a
    key or an override holding `{{ … }}` is passed as text and never templated. With a scope, the
    folder also holds its Prometheus export for the nms role.
    """
    with tempfile.TemporaryDirectory(prefix="provdc-hosts-") as tmp:
        folder = Path(tmp)
        os.chmod(folder, 0o700)
        if scope is not None and "nms_prometheus_source" not in variables:
            source = prometheus_export(scope, folder / "prometheus")
            variables = {**variables, "nms_prometheus_source": str(source)}
        data = folder / "inventory.json"
        data.write_text(json.dumps(ansible_inventory(inv), ensure_ascii=False), encoding="utf-8")
        script = folder / "inventory.sh"
        script.write_text(INVENTORY_SCRIPT.format(path=data), encoding="utf-8")
        script.chmod(0o700)
        extra = folder / "extra-vars.json"
        fd = os.open(extra, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(unsafe(variables), fh)
        yield RunFiles(script, extra, folder)


def parse_override(text: str) -> tuple[str, Any]:
    """KEY=VALUE of --set; VALUE is read as JSON when it parses (lists, numbers), else a string."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ProvdcError(f"--set {text!r}: expected KEY=VALUE")
    try:
        return key.strip(), json.loads(value)
    except json.JSONDecodeError:
        return key.strip(), value


def parse_overrides(items: Sequence[str] | None) -> dict[str, Any]:
    """Every --set KEY=VALUE of a run, as role variables (a later KEY wins)."""
    return dict(parse_override(item) for item in items or [])
