"""The province inventory: the single source of truth every part of provdc reads."""

from provdc.inventory.loader import (
    InventoryError,
    LoadResult,
    check_inventory,
    default_inventory_path,
    load_inventory,
)
from provdc.inventory.model import Device, Inventory, Site
from provdc.inventory.secrets import secret
from provdc.inventory.targets import Target, load_target, state_dir

__all__ = [
    "Device",
    "Inventory",
    "InventoryError",
    "LoadResult",
    "Site",
    "Target",
    "check_inventory",
    "default_inventory_path",
    "load_inventory",
    "load_target",
    "secret",
    "state_dir",
]
