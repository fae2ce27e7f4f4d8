"""Which routers a command reaches on a target, as which platform, at which address.

Production: every matching site, as its own platform. The lab (a target with `extra.lab_dir`):
only the sites the lab built a router for, every one realised as FRR.
"""

from dataclasses import dataclass
from pathlib import Path

from provdc.core.errors import ProvdcError
from provdc.inventory import Inventory, Site, Target
from provdc.network.render import select_sites


@dataclass(frozen=True)
class Managed:
    site: Site
    hostname: str
    platform: str
    address: str


def lab_sites(target: Target) -> set[str] | None:
    """Site ids with a router in the lab, or None when the target is not a lab."""
    lab_dir = target.extra.get("lab_dir")
    if not lab_dir:
        return None
    from provdc.lab.paths import LabPaths
    from provdc.lab.state import read_record

    record = read_record(LabPaths(Path(lab_dir)))
    if record is None:
        raise ProvdcError(
            f"target {target.name}: the lab is not up (no {lab_dir}/lab.json); run provdc lab up"
        )
    return {n.site for n in record.nodes if n.kind == "router"}


def managed_devices(inventory: Inventory, target: Target, pattern: str | None) -> list[Managed]:
    sites = select_sites(inventory, pattern)
    in_lab = lab_sites(target)
    if in_lab is not None:
        sites = [s for s in sites if s.id in in_lab]
        if not sites:
            raise ProvdcError(f"no router of the lab matches '{pattern}'")
    return [
        Managed(
            s,
            s.router.hostname,
            "frr" if in_lab is not None else s.router.platform,
            str(s.router.mgmt_address),
        )
        for s in sites
    ]
