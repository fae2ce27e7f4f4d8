"""What `monitor poll`, `watch` and `serve` are asked to do, made ready to poll with one inventory load.

A request names either a target (the inventory's devices in its scope) or ad-hoc agents with
credentials given on the command line; SNMPv3 keys not given as files come from
$PROVDC_SNMP_AUTH_KEY and $PROVDC_SNMP_PRIV_KEY. The roll-ups (a device's worst failed check, the
`--fail-on` policy) live here too, so every front end judges results alike.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

from provdc.inventory import load_inventory, load_target
from provdc.inventory.model import Inventory, Levels
from provdc.inventory.scope import Scope, build_scope
from provdc.inventory.secrets import read_secret_file
from provdc.monitoring.errors import MonitoringError
from provdc.monitoring.poller import PollOptions
from provdc.monitoring.results import Agent, DeviceResult
from provdc.monitoring.snmp import Credentials, V2c
from provdc.monitoring.sources import adhoc_agents, inventory_agents, v3_credentials


@dataclass(frozen=True)
class AdhocCredentials:
    """SNMP credentials for `--agent`: a v2c community (or its file), or a v3 user with key files."""

    community: str | None = None
    community_file: Path | None = None
    user: str | None = None
    auth_key_file: Path | None = None
    priv_key_file: Path | None = None
    auth_protocol: str = "SHA"
    priv_protocol: str = "AES"

    def resolve(self) -> Credentials:
        if self.user:
            if self.community or self.community_file:
                raise MonitoringError("give either --community or --user (SNMPv3), not both")
            auth = _key(self.auth_key_file, "--auth-key-file", "PROVDC_SNMP_AUTH_KEY")
            priv = _key(self.priv_key_file, "--priv-key-file", "PROVDC_SNMP_PRIV_KEY")
            if not auth or not priv:
                raise MonitoringError(
                    "SNMPv3 needs --auth-key-file and --priv-key-file (or $PROVDC_SNMP_*_KEY)"
                )
            return v3_credentials(self.user, auth, priv, self.auth_protocol, self.priv_protocol)
        if self.community_file:
            return V2c(read_secret_file(self.community_file, f"--community-file {self.community_file}"))
        if self.community:
            return V2c(self.community)
        raise MonitoringError("--agent needs --community, --community-file or --user with key files")

    def key_files(self) -> tuple[str, str] | None:
        """With --target: the SNMPv3 keys from --auth-key-file and --priv-key-file, when given."""
        if self.auth_key_file is None and self.priv_key_file is None:
            return None
        if self.auth_key_file is None or self.priv_key_file is None:
            raise MonitoringError("give both --auth-key-file and --priv-key-file, or neither")
        if self.community or self.community_file or self.user:
            raise MonitoringError("with --target the user comes from the inventory: give only the key files")
        auth = read_secret_file(self.auth_key_file, f"--auth-key-file {self.auth_key_file}")
        priv = read_secret_file(self.priv_key_file, f"--priv-key-file {self.priv_key_file}")
        return auth, priv


def _key(path: Path | None, option: str, variable: str) -> str | None:
    return read_secret_file(path, f"{option} {path}") if path else os.environ.get(variable)


@dataclass(frozen=True)
class PollRequest:
    """One poll's inputs as the command line gives them."""

    target: str | None = None
    site: str | None = None
    agents: Sequence[str] = ()
    credentials: AdhocCredentials = field(default_factory=AdhocCredentials)
    profile: str | None = None
    v2c: bool = False
    timeout: float = 1.0
    retries: int = 1
    deadline: float = 10.0
    concurrency: int = 64
    inventory: Path | None = None

    def options(self, interval: float | None = None, max_retries: int | None = None) -> PollOptions:
        """Poll options; a loop's `interval` caps the per-device deadline, `max_retries` the retries."""
        if self.timeout <= 0 or self.deadline <= 0 or self.retries < 0 or self.concurrency < 1:
            raise MonitoringError("--timeout and --deadline must be > 0, --retries >= 0, --concurrency >= 1")
        deadline = self.deadline if interval is None else min(self.deadline, interval)
        retries = self.retries if max_retries is None else min(self.retries, max_retries)
        return PollOptions(
            timeout=self.timeout, retries=retries, deadline=deadline, concurrency=self.concurrency
        )


@dataclass(frozen=True)
class Prepared:
    """Agents to poll and the thresholds to check them against, from one inventory load."""

    agents: list[Agent]
    thresholds: Mapping[str, Levels]
    inventory: Inventory | None = None
    scope: Scope | None = None  # with --target


def prepare(request: PollRequest) -> Prepared:
    if bool(request.target) == bool(request.agents):
        raise MonitoringError("give --target T (the inventory's devices) or --agent HOST[:PORT], not both")
    inv = load_inventory(request.inventory)
    if request.target:
        scope = build_scope(inv, load_target(request.target, request.inventory), request.site)
        keys = request.credentials.key_files()
        return Prepared(inventory_agents(scope, request.v2c, keys), inv.thresholds, inv, scope)
    agents = adhoc_agents(request.agents, request.credentials.resolve(), request.profile)
    return Prepared(agents, inv.thresholds, inv)


Worst = Literal["ok", "warning", "critical"]


def worst(result: DeviceResult) -> Worst:
    """The most severe of a device's failed checks, `ok` when none failed."""
    failed = [c for c in result.checks if c.status == "failed"]
    if any(c.severity == "critical" for c in failed):
        return "critical"
    return "warning" if failed else "ok"


class FailOn(StrEnum):
    never = "never"
    warning = "warning"
    critical = "critical"


def fails(results: Sequence[DeviceResult], fail_on: FailOn) -> bool:
    """Whether the `--fail-on` level is reached by any device's failed checks."""
    levels = {worst(r) for r in results}
    if fail_on == FailOn.critical:
        return "critical" in levels
    if fail_on == FailOn.warning:
        return bool(levels - {"ok"})
    return False
