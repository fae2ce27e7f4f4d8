"""Counter rates: wraps of 64-bit counters and agent restarts (unit tests on plain records)."""

from __future__ import annotations

from provdc.monitoring.rates import WRAP, CounterRates
from provdc.monitoring.results import DeviceResult, Interface


def _sample(uptime: float | None, octets_in: int, octets_out: int) -> DeviceResult:
    r = DeviceResult("r1", "127.0.0.1", 161, reachable=True, uptime_s=uptime)
    r.interfaces = [Interface(3, "wan0", "up", "up", 100, octets_in, octets_out)]
    return r


def test_rate_uses_the_agents_uptime() -> None:
    rates = CounterRates()
    assert rates.update(_sample(100.0, 1000, 0), at=0.0) == {}
    got = rates.update(_sample(110.0, 1000 + 125_000 * 10, 0), at=99.0)  # the poller's clock is off
    assert got == {3: (1_000_000.0, 0.0)}


def test_wrap_of_a_64_bit_counter() -> None:
    rates = CounterRates()
    rates.update(_sample(100.0, WRAP - 100, 5), at=0)
    got = rates.update(_sample(101.0, 900, 5), at=1)
    assert got[3] == (1000 * 8.0, 0.0)


def test_restart_gives_no_rate_then_resumes() -> None:
    rates = CounterRates()
    rates.update(_sample(5000.0, 10**9, 10**9), at=0)
    assert rates.update(_sample(3.0, 100, 100), at=10) == {}  # sysUpTime went back: not a wrap
    assert rates.update(_sample(4.0, 200, 300), at=11) == {3: (800.0, 1600.0)}


def test_without_uptime_the_poller_clock_is_used() -> None:
    rates = CounterRates()
    rates.update(_sample(None, 0, 0), at=10.0)
    assert rates.update(_sample(None, 250, 500), at=12.0) == {3: (1000.0, 2000.0)}
