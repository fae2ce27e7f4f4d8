"""Targets: where the inventory is deployed (the lab, production…) and how to reach it.

A target file says which vCenter, which device credentials and which state backend to use.
Secrets are never in it: only references, `env:NAME` or `file:/path` (a 0600 file), resolved
at the moment of use by `secret()` (secrets.py).
"""

import os
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from provdc.inventory.errors import TargetError
from provdc.inventory.kinds import Identifier, SecretRef
from provdc.inventory.loader import default_inventory_path
from provdc.inventory.platforms import Platform
from provdc.inventory.schema import Strict
from provdc.inventory.source import Problem, line_of, read_document

ENV_STATE = "PROVDC_STATE"


class VcenterTarget(Strict):
    url: str
    username_ref: SecretRef
    password_ref: SecretRef
    insecure: bool = False
    # "inventory": the stack preflight takes host capacities from the inventory, for a simulator
    # whose own figures are made up (vcsim: 2 cores, 4 GiB per host)
    capacity_source: Literal["vcenter", "inventory"] = "vcenter"


class DeviceAccess(Strict):
    username_ref: SecretRef
    password_ref: SecretRef | None = None
    key_file: str | None = None
    ssh_port: int = 22
    host_keys: Literal["strict", "lab"] = "strict"  # "lab": accept the lab's generated keys
    known_hosts: str = "~/.ssh/known_hosts"


class SnmpAccess(Strict):
    auth_key_ref: SecretRef
    priv_key_ref: SecretRef
    community_ref: SecretRef | None = None  # SNMPv2c only where a device cannot do v3
    port: int = 161


class StateBackend(Strict):
    url: str = ""  # file:// path, s3:// bucket or a Pulumi Cloud URL; empty: <state dir>/pulumi
    passphrase_ref: SecretRef = "env:PULUMI_CONFIG_PASSPHRASE"


class LabScope(Strict):
    """What `lab up` built, written into the target beside its references: no secret in it.

    The nodes exist while `record` (the lab's own record) does; every router is realised as
    `platform`, with that platform's interface names from the inventory's `platforms:` table.
    """

    record: str
    routers: tuple[str, ...]
    router_sites: tuple[Identifier, ...] = ()  # the site of each router: it outlives a rename
    pes: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    platform: Platform = "frr"
    wan_interface: str
    lan_interface: str
    container_like: bool = True  # hosts share the machine's clock and kernel


class Target(Strict):
    name: str
    description: str = ""
    vcenter: VcenterTarget | None = None
    devices: DeviceAccess
    snmp: SnmpAccess
    hosts: DeviceAccess | None = None
    state: StateBackend = StateBackend()
    lab: LabScope | None = None


def state_dir() -> Path:
    """Where provdc keeps state, backups and generated targets: $PROVDC_STATE or ./state."""
    return Path(os.environ.get(ENV_STATE, "state")).absolute()


def target_paths(name: str, inventory: Path | None = None) -> list[Path]:
    root = inventory or default_inventory_path()
    folder = root if root.is_dir() else root.parent
    return [state_dir() / "targets" / f"{name}.yml", folder / "targets" / f"{name}.yml"]


def load_target(name: str, inventory: Path | None = None) -> Target:
    """The named target: a generated one in the state dir first, then the inventory's own."""
    for path in target_paths(name, inventory):
        if path.is_file():
            return _read(path)
    tried = " or ".join(str(p) for p in target_paths(name, inventory))
    raise TargetError(f"no target '{name}' ({tried})")


def _read(path: Path) -> Target:
    doc = read_document(path, str(path))
    if isinstance(doc, Problem):
        raise TargetError(str(doc))
    try:
        return Target.model_validate(dict(doc.data))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise TargetError(f"{path}:{line_of(doc.data, err['loc'])}: {where}: {err['msg']}") from None
