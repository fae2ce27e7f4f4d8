"""Checks against the inventory's thresholds (unit tests on plain records)."""

from __future__ import annotations

import pytest

from provdc.inventory import load_inventory
from provdc.monitoring.checks import evaluate, sensor_check
from provdc.monitoring.results import Agent, DeviceResult, Interface, Sensor
from provdc.monitoring.snmp import V2c

LEVELS = load_inventory().thresholds


def _sensor(kind: str, value: float | None, status: str | None = None, health: str = "ok") -> Sensor:
    return Sensor("s1", kind, value, "", status, health)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "key"), [("temperature", "temperature_c"), ("cpu", "cpu_pct"), ("memory", "memory_pct")]
)
def test_higher_is_worse(kind: str, key: str) -> None:
    levels = LEVELS[key]
    assert sensor_check(_sensor(kind, levels.warning - 1), LEVELS).status == "ok"
    warn = sensor_check(_sensor(kind, levels.warning), LEVELS)
    assert (warn.status, warn.severity) == ("failed", "warning")
    crit = sensor_check(_sensor(kind, levels.critical + 1), LEVELS)
    assert (crit.status, crit.severity) == ("failed", "critical")


def test_ups_runtime_lower_is_worse() -> None:
    levels = LEVELS["ups_runtime_min"]
    assert levels.critical < levels.warning
    assert sensor_check(_sensor("ups_runtime", levels.warning + 1), LEVELS).status == "ok"
    assert sensor_check(_sensor("ups_runtime", levels.warning), LEVELS).severity == "warning"
    assert sensor_check(_sensor("ups_runtime", levels.critical - 1), LEVELS).severity == "critical"


def test_states_decide_before_values() -> None:
    on_battery = sensor_check(_sensor("ups_source", None, "battery", "failed"), LEVELS)
    assert (on_battery.status, on_battery.severity) == ("failed", "critical")
    assert "battery" in on_battery.message
    assert sensor_check(_sensor("fan", None, "warning", "warning"), LEVELS).severity == "warning"


def _device(*ifaces: Interface) -> DeviceResult:
    return DeviceResult("r1", "127.0.0.1", 161, reachable=True, uptime_s=10, interfaces=list(ifaces))


def test_link_down_is_critical_on_an_inventory_link_only() -> None:
    agent = Agent("r1", "127.0.0.1", 161, V2c("x"), links={"wan0": 20})
    wan = Interface(1, "wan0", "up", "lowerLayerDown", 1000, 0, 0)
    spare = Interface(2, "eth9", "up", "down", 1000, 0, 0)
    shut = Interface(3, "eth8", "down", "down", 1000, 0, 0)
    checks = {c.name: c for c in evaluate(_device(wan, spare, shut), agent, LEVELS)}
    assert (checks["link wan0"].status, checks["link wan0"].severity) == ("failed", "critical")
    assert (checks["link eth9"].status, checks["link eth9"].severity) == ("failed", "warning")
    assert "link eth8" not in checks  # shut by the admin: not an alarm


def test_utilisation_against_the_contracted_bandwidth() -> None:
    agent = Agent("r1", "127.0.0.1", 161, V2c("x"), links={"wan0": 20})
    wan = Interface(1, "wan0", "up", "up", 1000, 0, 0)  # 1 Gb/s port, 20 Mb/s circuit
    critical = LEVELS["link_utilisation_pct"].critical
    bps = 20e6 * (critical + 1) / 100
    checks = {c.name: c for c in evaluate(_device(wan), agent, LEVELS, {1: (bps, 0.0)})}
    assert (checks["utilisation wan0"].status, checks["utilisation wan0"].severity) == ("failed", "critical")


def test_unreachable_is_one_critical_check() -> None:
    result = DeviceResult("r1", "127.0.0.1", 161, reachable=False, error="timeout: no answer")
    checks = evaluate(result, Agent("r1", "127.0.0.1", 161, V2c("x")), LEVELS)
    assert [(c.name, c.severity, c.status, c.message) for c in checks] == [
        ("reachable", "critical", "failed", "timeout: no answer")
    ]
