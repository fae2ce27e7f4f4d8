"""The stacks area's user errors: vCenter, vcsim and the Pulumi engine."""

from provdc.core.errors import ProvdcError


class StackError(ProvdcError):
    """A stack cannot be previewed, applied or refreshed as asked."""
