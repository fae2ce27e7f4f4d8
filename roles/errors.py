"""The hosts area's user errors: a selection or a run that cannot go ahead."""

from provdc.core.errors import ProvdcError


class HostsError(ProvdcError):
    """The hosts asked for cannot be configured or verified (none match, no access, no playbook)."""
