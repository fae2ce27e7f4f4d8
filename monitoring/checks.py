"""Checks with thresholds from the inventory: each result has a status and a severity.

A failed check is `warning` or `critical`; an ok one is `info`. Thresholds are the inventory's
`thresholds` (warning/critical levels); UPS runtime is worse when lower, the others when higher.
"""

from __future__ import annotations

from collections.abc import Mapping

from provdc.inventory.model import Levels
from provdc.monitoring.results import Agent, Check, CheckStatus, DeviceResult, Interface, Sensor, Severity

# sensor kind → threshold name in the inventory
THRESHOLD_OF = {
    "temperature": "temperature_c",
    "cpu": "cpu_pct",
    "memory": "memory_pct",
    "ups_runtime": "ups_runtime_min",
}
LOWER_IS_WORSE = {"ups_runtime_min"}
DOWN_OK = {"up", "dormant"}  # ifOperStatus values that are not a link down


def _level(value: float, levels: Levels, name: str) -> tuple[CheckStatus, Severity]:
    """(status, severity) of a value against warning/critical levels."""
    sign = -1 if name in LOWER_IS_WORSE else 1
    if sign * value >= sign * levels.critical:
        return "failed", "critical"
    if sign * value >= sign * levels.warning:
        return "failed", "warning"
    return "ok", "info"


def sensor_check(sensor: Sensor, thresholds: Mapping[str, Levels]) -> Check:
    name = f"{sensor.kind} {sensor.name}"
    shown = f"{sensor.value:g} {sensor.unit}".strip() if sensor.value is not None else ""
    state = f"state {sensor.status}" if sensor.status else ""
    message = ", ".join(p for p in (shown, state) if p)
    if sensor.health == "failed":
        return Check(name, "critical", "failed", message)
    if sensor.health == "warning":
        return Check(name, "warning", "failed", message)
    key = THRESHOLD_OF.get(sensor.kind)
    if key and key in thresholds and sensor.value is not None:
        levels = thresholds[key]
        status, severity = _level(sensor.value, levels, key)
        limit = levels.critical if severity == "critical" else levels.warning
        if status == "failed":
            side = "under" if key in LOWER_IS_WORSE else "over"
            message = f"{message} ({side} {limit:g})"
        return Check(name, severity, status, message)
    return Check(name, "info", "ok", message)


def link_check(iface: Interface, known: bool) -> Check | None:
    """A link the admin wants up that is not: critical on an inventory link, else a warning."""
    name = f"link {iface.name}"
    if iface.admin_status != "up":
        return Check(name, "info", "ok", f"admin {iface.admin_status}") if known else None
    if iface.oper_status in DOWN_OK:
        return Check(name, "info", "ok", f"oper {iface.oper_status}") if known else None
    return Check(name, "critical" if known else "warning", "failed", f"admin up, oper {iface.oper_status}")


def utilisation_check(
    iface: Interface, bps: tuple[float, float], capacity_mbps: int | None, levels: Levels, known: bool
) -> Check | None:
    if not capacity_mbps:
        return None
    pct = max(bps) / (capacity_mbps * 1e6) * 100
    status, severity = _level(pct, levels, "link_utilisation_pct")
    if status == "ok" and not known:
        return None
    message = f"{pct:.1f} % of {capacity_mbps} Mb/s (in {bps[0] / 1e6:.2f}, out {bps[1] / 1e6:.2f} Mb/s)"
    return Check(f"utilisation {iface.name}", severity, status, message)


def evaluate(
    result: DeviceResult,
    agent: Agent,
    thresholds: Mapping[str, Levels],
    rates: Mapping[int, tuple[float, float]] | None = None,
) -> list[Check]:
    """Every check of one device; `rates` (ifIndex → in/out bit/s) enables utilisation checks."""
    if not result.reachable:
        return [Check("reachable", "critical", "failed", result.error or "no answer")]
    checks = [Check("reachable", "info", "ok", f"up {result.uptime_s or 0:.0f} s")]
    if result.error:
        checks.append(Check("complete", "warning", "unknown", result.error))
    seen = set()
    for iface in result.interfaces:
        known = iface.name in agent.links
        seen.add(iface.name)
        if (check := link_check(iface, known)) is not None:
            checks.append(check)
        if rates and iface.index in rates and "link_utilisation_pct" in thresholds:
            capacity = agent.links.get(iface.name) or iface.speed_mbps
            levels = thresholds["link_utilisation_pct"]
            if (check := utilisation_check(iface, rates[iface.index], capacity, levels, known)) is not None:
                checks.append(check)
    for missing in sorted(set(agent.links) - seen):
        if result.interfaces or result.error is None:
            checks.append(Check(f"link {missing}", "critical", "unknown", "no such interface on the agent"))
    checks.extend(sensor_check(s, thresholds) for s in result.sensors)
    return checks
