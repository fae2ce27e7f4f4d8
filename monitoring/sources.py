"""Which agents to poll and with which credentials: a scope's devices, or ad-hoc agents."""

from __future__ import annotations

from collections.abc import Sequence

from provdc.inventory import secret
from provdc.inventory.scope import Scope
from provdc.monitoring import profiles
from provdc.monitoring.errors import MonitoringError
from provdc.monitoring.results import Agent
from provdc.monitoring.snmp import AUTH_PROTOCOLS, PRIV_PROTOCOLS, V3, Credentials, V2c


def inventory_agents(scope: Scope, v2c: bool = False, keys: tuple[str, str] | None = None) -> list[Agent]:
    """Every device of the scope to poll, with the target's SNMP access.

    SNMPv3 authPriv with the inventory's user and the target's keys, or with `keys` (auth, priv):
    an operator's own copy, for one who may not read the target's key files (the lab's are root's).
    `v2c` uses the target's community instead, for devices that cannot do v3.
    """
    access = scope.target.snmp
    snmp = scope.inventory.services.snmp
    creds: Credentials
    if v2c:
        if access.community_ref is None:
            raise MonitoringError(f"target '{scope.target.name}' has no snmp.community_ref for SNMPv2c")
        creds = V2c(secret(access.community_ref))
    else:
        auth, priv = keys or (secret(access.auth_key_ref), secret(access.priv_key_ref))
        creds = v3_credentials(snmp.user, auth, priv, snmp.auth, snmp.priv)
    agents = []
    for reach in scope.devices():
        device = reach.device
        if device.snmp_profile is not None:
            profiles.profile(device.snmp_profile)
        links = dict([reach.wan]) if reach.wan is not None else {}
        agents.append(
            Agent(
                device.name,
                reach.address,
                reach.snmp.port,
                creds,
                profile=device.snmp_profile,
                site=device.site,
                links=links,
            )
        )
    return agents


def v3_credentials(user: str, auth_key: str, priv_key: str, auth: str = "SHA", priv: str = "AES") -> V3:
    if auth.upper() not in AUTH_PROTOCOLS:
        raise MonitoringError(f"SNMPv3 auth protocol '{auth}' unknown (have: {', '.join(AUTH_PROTOCOLS)})")
    if priv.upper() not in PRIV_PROTOCOLS:
        raise MonitoringError(f"SNMPv3 priv protocol '{priv}' unknown (have: {', '.join(PRIV_PROTOCOLS)})")
    for what, key in (("auth", auth_key), ("priv", priv_key)):
        if len(key) < 8:
            raise MonitoringError(f"SNMPv3 {what} key is shorter than 8 characters")
    return V3(user, auth_key, priv_key, auth.upper(), priv.upper())


def adhoc_agents(addresses: Sequence[str], creds: Credentials, profile: str | None) -> list[Agent]:
    if profile is not None:
        profiles.profile(profile)  # an unknown name is an error before anything is sent
    agents = []
    for text in addresses:
        try:
            host, port = Agent.parse_address(text)
        except ValueError as exc:
            raise MonitoringError(f"--agent: {exc}") from None
        agents.append(Agent(text, host, port, creds, profile=profile))
    return agents
