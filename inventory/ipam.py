"""The address and number plan: every site's slot, subnets and ASN follow from its official code.

A slot is a site's fixed index in the plan; a new site takes the addresses of its own slot and
never moves another (docs/ipam.md). All functions are pure.
"""

from ipaddress import IPv4Address, IPv4Network
from typing import Literal

from provdc.inventory.model import IpamPlan, SiteLanRole

WanSiteKind = Literal["agency", "district", "commune"]

DISTRICT_CODE_BASE = 288
COMMUNE_CODE_BASE = 10500
SLOT_BASE = {"dc": 1, "dr": 2, "agency": 16, "district": 64, "commune": 128}
SLOTS = 1024  # a /20 of WAN /30s: communes may have codes 10500..11395
# Site LAN layout inside the site's block: (role, prefix length, offset in addresses).
Layout = tuple[tuple[SiteLanRole, int, int], ...]
DISTRICT_LAYOUT: Layout = (("office", 25, 0), ("vc", 27, 128), ("camera", 27, 160), ("mgmt", 27, 192))
COMMUNE_LAYOUT: Layout = (("office", 26, 0), ("vc", 28, 64), ("camera", 28, 80), ("mgmt", 28, 96))
BLOCK_PREFIX = {"agency": 24, "district": 24, "commune": 25}


class PlanError(ValueError):
    """A site that does not fit the plan (its code is outside the ranges the plan covers)."""


def slot(kind: str, code: str, number: int | None = None, plan: IpamPlan | None = None) -> int:
    """The site's slot: dc 1, dr 2, agency 16+number, district 64+(code-base), commune 128+(code-base).

    The bases are the plan's (`ipam.district_code_base`, `commune_code_base`; Hải Dương: 288, 10500).
    """
    if kind in ("dc", "dr"):
        return SLOT_BASE[kind]
    if kind == "agency":
        if number is None:
            raise PlanError("an agency needs a number")
        return SLOT_BASE["agency"] + number
    if not code.isdigit():
        raise PlanError(f"{kind} code {code!r} is not numeric")
    bases = (
        (plan.district_code_base, plan.commune_code_base) if plan else (DISTRICT_CODE_BASE, COMMUNE_CODE_BASE)
    )
    base = bases[0] if kind == "district" else bases[1]
    offset = int(code) - base
    width = (
        SLOT_BASE["commune"] - SLOT_BASE["district"] if kind == "district" else SLOTS - SLOT_BASE["commune"]
    )
    if not 0 <= offset < width:
        raise PlanError(f"{kind} code {code} is outside the plan ({base}..{base + width - 1})")
    return SLOT_BASE[kind] + offset


def _nth(pool: IPv4Network, prefix: int, index: int, what: str) -> IPv4Network:
    size = 1 << (32 - prefix)
    if index < 0 or (index + 1) * size > pool.num_addresses:
        raise PlanError(f"{what} #{index} does not fit in {pool}")
    return IPv4Network((int(pool.network_address) + index * size, prefix))


def loopback(plan: IpamPlan, site_slot: int) -> IPv4Address:
    return _nth(plan.loopbacks, 32, site_slot, "loopback").network_address


def wan_network(plan: IpamPlan, site_slot: int) -> IPv4Network:
    return _nth(plan.wan, 30, site_slot, "WAN /30")


def asn(plan: IpamPlan, site_slot: int) -> int:
    return plan.asn_base + site_slot


def lan_block(plan: IpamPlan, kind: WanSiteKind, code: str, number: int | None = None) -> IPv4Network:
    """The block that holds all LANs of an agency, district or commune."""
    if kind == "agency":
        return _nth(plan.agency_lans, BLOCK_PREFIX[kind], number or 0, "agency block")
    if kind == "district":
        return _nth(plan.district_lans, 24, int(code) - plan.district_code_base, "district block")
    return _nth(plan.commune_lans, 25, int(code) - plan.commune_code_base, "commune block")


def site_lans(
    plan: IpamPlan, kind: WanSiteKind, code: str, number: int | None, camera: bool
) -> list[tuple[SiteLanRole, int, IPv4Network]]:
    """(role, vlan, network) for each LAN of a WAN site, by the layout of its kind."""
    block = lan_block(plan, kind, code, number)
    layout = COMMUNE_LAYOUT if kind == "commune" else DISTRICT_LAYOUT
    lans = []
    for role, prefix, offset in layout:
        if role == "camera" and not camera:
            continue
        net = IPv4Network((int(block.network_address) + offset, prefix))
        lans.append((role, plan.site_vlans[role], net))
    return lans
