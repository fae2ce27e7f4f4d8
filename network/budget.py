"""Failure budget and revert timer of a push, checked before any device is contacted.

`--max-failures N|P%`: how many devices of a wave may fail before later waves are skipped. A share
is of the wave's size, rounded down, so the one-device canary wave of `1,10%,100%` allows none.
"""

import math
from collections.abc import Iterable

from provdc.core.errors import ProvdcError
from provdc.inventory.platforms import PLATFORMS, Platform


def allowed_failures(spec: str, wave_size: int) -> int:
    raw = spec.strip()
    try:
        value = float(raw[:-1]) if raw.endswith("%") else int(raw)
    except ValueError:
        raise ProvdcError(f"--max-failures {spec}: neither a count nor a percentage") from None
    if value < 0 or (raw.endswith("%") and value > 100):
        raise ProvdcError(f"--max-failures {spec}: must be a count >= 0 or a share from 0% to 100%")
    return math.floor(wave_size * value / 100) if raw.endswith("%") else int(value)


def check_confirm_timeout(seconds: int, gate_timeout: float, platforms: Iterable[Platform]) -> None:
    """The revert timer must outlast the gate, and fit each platform's timer unit."""
    if seconds <= gate_timeout:
        raise ProvdcError(
            f"--confirm-timeout {seconds}: must be longer than --gate-timeout {gate_timeout:g}, "
            "or the change reverts before the gate can pass"
        )
    for platform in sorted(set(platforms)):
        most = PLATFORMS[platform].revert_minutes_max
        if most is not None and (seconds % 60 or seconds > most * 60):
            raise ProvdcError(
                f"--confirm-timeout {seconds}: {platform} counts its revert timer in minutes: "
                f"give a multiple of 60 up to {most * 60}"
            )
