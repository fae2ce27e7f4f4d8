"""Why a device failed, in the classes a network team acts on differently."""

from typing import Literal

from napalm.base.exceptions import (  # type: ignore[import-untyped]
    CommandTimeoutException,
    CommitError,
    ConnectAuthError,
    ConnectionException,
    ConnectTimeoutError,
    MergeConfigException,
    ReplaceConfigException,
)

Reason = Literal["connect", "auth", "hostkey", "timeout", "rejected", "gate", "backup", "error"]


class DeviceError(Exception):
    """A device-level failure with its reason class; the message never holds a secret."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason


class BackupIncomplete(CommitError):  # type: ignore[misc]
    """The running config read before a commit is truncated: nothing was changed."""


# Most specific first: ConnectAuthError and ConnectTimeoutError are ConnectionExceptions.
_CLASSES: tuple[tuple[type[Exception] | tuple[type[Exception], ...], Reason], ...] = (
    (ConnectAuthError, "auth"),
    ((ConnectTimeoutError, CommandTimeoutException), "timeout"),
    (ConnectionException, "connect"),
    (BackupIncomplete, "backup"),
    ((CommitError, ReplaceConfigException, MergeConfigException), "rejected"),
)


def classify(exc: Exception) -> tuple[Reason, str]:
    """The reason class and message of any failure on a device (NAPALM's exceptions by class)."""
    if isinstance(exc, DeviceError):
        return exc.reason, str(exc)
    for classes, reason in _CLASSES:
        if isinstance(exc, classes):
            return reason, str(exc)
    return "error", f"{type(exc).__name__}: {exc}"
