"""Which agents to poll and with which credentials: the inventory with a target, or ad-hoc agents."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatch

from provdc.core.errors import ProvdcError
from provdc.inventory import Inventory, load_target, secret
from provdc.monitoring import profiles
from provdc.monitoring.results import Agent
from provdc.monitoring.snmp import AUTH_PROTOCOLS, PRIV_PROTOCOLS, V3, Credentials, V2c


def inventory_agents(
    inventory: Inventory, target: str, site: str | None = None, v2c: bool = False
) -> list[Agent]:
    """Every managed device of the inventory (optionally of sites matching a glob).

    SNMPv3 authPriv with the inventory's user and the target's keys; `v2c` uses the target's
    community instead, for devices that cannot do v3.
    """
    tgt = load_target(target)
    snmp = inventory.services.snmp
    creds: Credentials
    if v2c:
        if tgt.snmp.community_ref is None:
            raise ProvdcError(f"target '{target}' has no snmp.community_ref for SNMPv2c")
        creds = V2c(secret(tgt.snmp.community_ref))
    else:
        creds = v3_credentials(
            snmp.user, secret(tgt.snmp.auth_key_ref), secret(tgt.snmp.priv_key_ref), snmp.auth, snmp.priv
        )
    lab = _lab_view() if "lab_dir" in tgt.extra else None
    agents = []
    for device in inventory.devices():
        if device.snmp_profile is not None:
            profiles.profile(device.snmp_profile)
        if site and not (fnmatch(device.site, site) or fnmatch(device.name, site)):
            continue
        if lab is not None and device.name not in lab[1]:
            continue  # not built at this lab scale
        links: dict[str, int] = {}
        owner = inventory.sites.get(device.site)
        if owner is not None and owner.router.hostname == device.name:
            wan = lab[0] if lab is not None else owner.wan.interface
            links = {wan: owner.wan.bandwidth_mbps}
        agents.append(
            Agent(
                device.name,
                str(device.mgmt_address),
                tgt.snmp.port,
                creds,
                profile=device.snmp_profile,
                site=device.site,
                links=links,
            )
        )
    if site and not agents:
        raise ProvdcError(f"no device in a site matching '{site}'")
    return agents


def _lab_view() -> tuple[str, set[str]]:
    """In the lab every router is FRR (WAN interface `wan0`) and only the nodes of its scale exist."""
    from provdc.lab.frr_day0 import WAN_IF
    from provdc.lab.status import lab_status

    status = lab_status(detail=False)
    if not status.nodes:
        raise ProvdcError("target 'lab': no lab on this machine (provdc lab up)")
    return WAN_IF, {n.name for n in status.nodes}


def v3_credentials(user: str, auth_key: str, priv_key: str, auth: str = "SHA", priv: str = "AES") -> V3:
    if auth.upper() not in AUTH_PROTOCOLS:
        raise ProvdcError(f"SNMPv3 auth protocol '{auth}' unknown (have: {', '.join(AUTH_PROTOCOLS)})")
    if priv.upper() not in PRIV_PROTOCOLS:
        raise ProvdcError(f"SNMPv3 priv protocol '{priv}' unknown (have: {', '.join(PRIV_PROTOCOLS)})")
    for what, key in (("auth", auth_key), ("priv", priv_key)):
        if len(key) < 8:
            raise ProvdcError(f"SNMPv3 {what} key is shorter than 8 characters")
    return V3(user, auth_key, priv_key, auth.upper(), priv.upper())


def adhoc_agents(addresses: Sequence[str], creds: Credentials, profile: str | None) -> list[Agent]:
    if profile is not None:
        profiles.profile(profile)  # an unknown name is an error before anything is sent
    agents = []
    for text in addresses:
        try:
            host, port = Agent.parse_address(text)
        except ValueError as exc:
            raise ProvdcError(f"--agent: {exc}") from None
        agents.append(Agent(text, host, port, creds, profile=profile))
    return agents
