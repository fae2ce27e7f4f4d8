"""Canary waves: `1,10%,100%` → the devices of each wave, in order.

Each item is where the rollout stands after that wave (a count or a share of all devices), so
waves grow; the last wave always reaches every device.
"""

import math
from typing import TypeVar

from provdc.core.errors import ProvdcError

T = TypeVar("T")


def wave_ends(spec: str, total: int) -> list[int]:
    ends: list[int] = []
    for raw in (part.strip() for part in spec.split(",")):
        try:
            end = math.ceil(total * float(raw[:-1]) / 100) if raw.endswith("%") else int(raw)
        except ValueError:
            raise ProvdcError(f"--waves {spec}: '{raw}' is neither a count nor a percentage") from None
        if end <= 0 or (raw.endswith("%") and float(raw[:-1]) > 100):
            raise ProvdcError(f"--waves {spec}: '{raw}' must be a positive count or a share up to 100%")
        end = min(end, total)
        if not ends or end > ends[-1]:
            ends.append(end)
    if not ends or ends[-1] < total:
        ends.append(total)
    return ends


def split_waves(items: list[T], spec: str) -> list[list[T]]:
    start = 0
    waves: list[list[T]] = []
    for end in wave_ends(spec, len(items)):
        waves.append(items[start:end])
        start = end
    return waves
