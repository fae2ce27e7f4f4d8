"""Why a device failed, in the classes a network team acts on differently."""

from typing import Literal

Reason = Literal["connect", "auth", "hostkey", "timeout", "rejected", "gate", "backup", "error"]


class DeviceError(Exception):
    """A device-level failure with its reason class; the message never holds a secret."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason


def classify(exc: Exception) -> tuple[Reason, str]:
    """The reason class and message of any failure on a device (NAPALM's exceptions by name)."""
    if isinstance(exc, DeviceError):
        return exc.reason, str(exc)
    name = type(exc).__name__
    if name in ("CommitError", "ReplaceConfigException", "MergeConfigException"):
        return "rejected", str(exc)
    if name in ("ConnectionException", "ConnectAuthError", "ConnectTimeoutError"):
        return "connect", str(exc)
    return "error", f"{name}: {exc}"
