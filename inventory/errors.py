"""The inventory area's user errors beside the loader's `InventoryError`: targets and scopes."""

from provdc.core.errors import ProvdcError


class TargetError(ProvdcError):
    """A target file, the scope it gives or the lab it names cannot be used as asked."""


class SiteNotFound(ProvdcError):
    """No site has the id, code or hostname asked for."""
