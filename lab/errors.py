"""The lab's user errors: what cannot be built, reached or read on this machine."""

from provdc.core.errors import ProvdcError


class LabError(ProvdcError):
    """The lab cannot do what was asked (no root, a missing part, a node that is not there)."""
