"""A session lost in its handshake is opened once more; an auth or host-key failure is final."""

from typing import Any

import pytest

from provdc.network import connect
from provdc.network.errors import DeviceError


def _failing(reasons: list[str], opened: list[int]) -> Any:
    def open_once(device: Any, target: Any, timeout: int) -> str:
        opened.append(1)
        if reasons:
            raise DeviceError(reasons.pop(0), "ce-x: handshake")  # type: ignore[arg-type]
        return "driver"

    return open_once


def test_connect_failure_is_tried_once_more(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[int] = []
    monkeypatch.setattr(connect, "_open_once", _failing(["connect"], opened))
    monkeypatch.setattr("provdc.network.connect.time.sleep", lambda s: None)
    assert connect.open_driver(None, None) == "driver"  # type: ignore[arg-type]
    assert len(opened) == 2


@pytest.mark.parametrize("reason", ["auth", "hostkey", "timeout"])
def test_other_failures_are_final(monkeypatch: pytest.MonkeyPatch, reason: str) -> None:
    opened: list[int] = []
    monkeypatch.setattr(connect, "_open_once", _failing([reason], opened))
    with pytest.raises(DeviceError) as failed:
        connect.open_driver(None, None)  # type: ignore[arg-type]
    assert failed.value.reason == reason and len(opened) == 1


def test_a_device_that_never_answers_fails_after_the_tries(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[int] = []
    monkeypatch.setattr(connect, "_open_once", _failing(["connect"] * 5, opened))
    monkeypatch.setattr("provdc.network.connect.time.sleep", lambda s: None)
    with pytest.raises(DeviceError):
        connect.open_driver(None, None)  # type: ignore[arg-type]
    assert len(opened) == connect.CONNECT_TRIES
