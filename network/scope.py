"""Which routers a network command reaches: the scope's, as `Managed` for the pusher and the fleet."""

from dataclasses import dataclass

from provdc.inventory.model import Site
from provdc.inventory.platforms import Platform
from provdc.inventory.scope import Scope


@dataclass(frozen=True)
class Managed:
    site: Site
    hostname: str
    platform: Platform
    address: str


def managed_devices(scope: Scope) -> list[Managed]:
    """Every router of the scope, as the platform it runs on this target (FRR in the lab)."""
    return [Managed(r.site, r.hostname, r.platform, r.address) for r in scope.routers()]
