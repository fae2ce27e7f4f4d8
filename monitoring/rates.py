"""Rates from ifHC octet counters across polls: wraps and agent restarts handled.

A counter smaller than before is a wrap when the agent's sysUpTime went on, and a restart (no
rate this time) when sysUpTime went back. Intervals are taken from sysUpTime when both samples
have it (the agent's own clock), else from the poller's clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from provdc.monitoring.results import DeviceResult

WRAP = 2**64


@dataclass(frozen=True)
class _Sample:
    at: float  # poller clock, seconds
    uptime_s: float | None
    in_octets: int
    out_octets: int


def _delta(old: int, new: int) -> int:
    return new - old if new >= old else new + WRAP - old


class CounterRates:
    """Keeps the last sample per device and interface; `update` returns bit/s per ifIndex."""

    def __init__(self) -> None:
        self._last: dict[tuple[str, int], _Sample] = {}

    def update(self, result: DeviceResult, at: float) -> dict[int, tuple[float, float]]:
        rates: dict[int, tuple[float, float]] = {}
        for iface in result.interfaces:
            if iface.in_octets is None or iface.out_octets is None:
                continue
            key = (result.name, iface.index)
            new = _Sample(at, result.uptime_s, iface.in_octets, iface.out_octets)
            old = self._last.get(key)
            self._last[key] = new
            if old is None:
                continue
            if old.uptime_s is not None and new.uptime_s is not None:
                if new.uptime_s < old.uptime_s:  # the agent restarted: counters began again
                    continue
                seconds = new.uptime_s - old.uptime_s
            else:
                seconds = new.at - old.at
            if seconds <= 0:
                continue
            rates[iface.index] = (
                _delta(old.in_octets, new.in_octets) * 8 / seconds,
                _delta(old.out_octets, new.out_octets) * 8 / seconds,
            )
        return rates
