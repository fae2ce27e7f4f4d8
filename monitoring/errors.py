"""The monitoring area's user errors: bad agents, credentials or options of a poll."""

from provdc.core.errors import ProvdcError


class MonitoringError(ProvdcError):
    """A poll cannot start as asked (an unknown profile, a short key, no device in scope)."""
