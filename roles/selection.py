"""Which hosts a command acts on, and which roles each gets (read from the playbook itself)."""

from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

import yaml

from provdc.core.errors import ProvdcError
from provdc.inventory.model import VM, Inventory
from provdc.inventory.targets import Target

PLAYBOOK = Path(__file__).resolve().parent / "site.yml"
ALL_VMS = "vms"


@dataclass(frozen=True)
class HostPlan:
    """One VM with the roles site.yml gives it."""

    vm: VM
    roles: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.vm.name

    @property
    def address(self) -> str:
        return str(self.vm.address)


@cache
def playbook_roles(playbook: Path = PLAYBOOK) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(hosts pattern, roles) of each play, in order: the one mapping of groups to roles."""
    plays = yaml.safe_load(playbook.read_text(encoding="utf-8"))
    out = []
    for play in plays:
        roles = tuple(r["role"] if isinstance(r, dict) else str(r) for r in play.get("roles", []))
        out.append((str(play["hosts"]), roles))
    return tuple(out)


def roles_of(vm: VM) -> tuple[str, ...]:
    roles: list[str] = []
    for hosts, play_roles in playbook_roles():
        if hosts in (ALL_VMS, vm.group, vm.name):
            roles.extend(r for r in play_roles if r not in roles)
    return tuple(roles)


def lab_hosts() -> set[str]:
    """The VMs the running lab stands up as hosts (`provdc lab status`); empty when it is down."""
    from provdc.lab.status import lab_status

    return {n.name for n in lab_status(detail=False).of_kind("host")}


def select_hosts(inv: Inventory, limit: str | None = None, only: set[str] | None = None) -> list[HostPlan]:
    """The VMs whose hostname or group matches one of the comma-separated globs of `limit`.

    `only` narrows to the hosts that exist (the lab's): a lab run never sends a packet to an
    address the lab does not own.
    """
    patterns = [p.strip() for p in (limit or "*").split(",") if p.strip()]
    if only is not None:
        if not only:
            raise ProvdcError("the lab has no hosts up: flock /run/provdc-lab-session.lock provdc lab up")
        inv_names = {vm.name for vm in inv.workloads}
        if not only & inv_names:
            raise ProvdcError("the lab's hosts are not in this inventory")
    chosen = [
        vm
        for vm in inv.workloads
        if any(fnmatchcase(vm.name, p) or fnmatchcase(vm.group, p) for p in patterns)
    ]
    if only is not None:
        chosen = [vm for vm in chosen if vm.name in only]
    if not chosen:
        raise ProvdcError(f"--limit {limit!r} matches no host of the inventory (hostnames or groups)")
    return [HostPlan(vm, roles_of(vm)) for vm in chosen]


def existing_hosts(target: Target) -> set[str] | None:
    """For the lab target, the hosts the lab runs; for others None (every VM of the inventory)."""
    return lab_hosts() if target.name == "lab" else None
