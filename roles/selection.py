"""Which hosts a command acts on, and which roles each gets (read from the playbook itself)."""

from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path

import yaml

from provdc.hosts.errors import HostsError
from provdc.inventory.model import VM
from provdc.inventory.scope import Scope

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


def select_hosts(scope: Scope, limit: str | None = None) -> list[HostPlan]:
    """The scope's hosts whose hostname or group matches one of the comma-separated globs of `limit`.

    A lab target's scope holds only the hosts the lab runs: a lab run never sends a packet to an
    address the lab does not own.
    """
    patterns = [p.strip() for p in (limit or "*").split(",") if p.strip()]
    chosen = [
        vm
        for vm in scope.hosts()
        if any(fnmatchcase(vm.name, p) or fnmatchcase(vm.group, p) for p in patterns)
    ]
    if not chosen:
        raise HostsError(f"--limit {limit!r} matches no host of the inventory (hostnames or groups)")
    return [HostPlan(vm, roles_of(vm)) for vm in chosen]
