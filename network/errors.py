"""Why a device failed, in the classes a network team acts on differently."""

from typing import Literal

Reason = Literal["connect", "auth", "timeout", "rejected", "gate", "backup", "error"]


class DeviceError(Exception):
    """A device-level failure with its reason class; the message never holds a secret."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason
