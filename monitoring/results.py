"""What a poll found, as typed records, and their JSON form (the shape scripts and CI read)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from provdc.monitoring.snmp import Credentials

Health = Literal["ok", "warning", "failed"]
CheckStatus = Literal["ok", "failed", "unknown"]
Severity = Literal["info", "warning", "critical"]


@dataclass(frozen=True)
class Agent:
    """One device to poll: where, how to log in, what it is.

    `links` are the interfaces the inventory knows by name (WAN, LAN) with their contracted
    bandwidth in Mb/s: a link down there is critical, elsewhere a warning.
    """

    name: str
    address: str
    port: int
    credentials: Credentials
    profile: str | None = None
    site: str = ""
    links: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def parse_address(text: str, default_port: int = 161) -> tuple[str, int]:
        host, sep, port = text.rpartition(":")
        if not sep:
            host, port = text, str(default_port)
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"not HOST[:PORT]: '{text}'")
        return host, int(port)


@dataclass(frozen=True)
class Interface:
    index: int
    name: str
    admin_status: str | None
    oper_status: str | None
    speed_mbps: int | None
    in_octets: int | None
    out_octets: int | None


@dataclass(frozen=True)
class Sensor:
    name: str
    kind: str
    value: float | None
    unit: str
    status: str | None  # the state as the MIB names it (normal, onBattery, …)
    health: Health


@dataclass(frozen=True)
class Check:
    name: str
    severity: Severity
    status: CheckStatus
    message: str


@dataclass
class DeviceResult:
    name: str
    address: str
    port: int
    reachable: bool = False
    error: str | None = None
    sys_descr: str | None = None
    sys_object_id: str | None = None
    uptime_s: float | None = None
    profile: str | None = None
    interfaces: list[Interface] = field(default_factory=list)
    sensors: list[Sensor] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    seconds: float = 0.0  # how long the poll took (not in the JSON form)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["seconds"]
        return data


def summary(results: list[DeviceResult]) -> dict[str, Any]:
    checks = [c for r in results for c in r.checks]
    return {
        "devices": len(results),
        "reachable": sum(r.reachable for r in results),
        "unreachable": sum(not r.reachable for r in results),
        "checks": len(checks),
        "failed": sum(c.status == "failed" for c in checks),
        "critical": sum(c.status == "failed" and c.severity == "critical" for c in checks),
        "warning": sum(c.status == "failed" and c.severity == "warning" for c in checks),
        "unknown": sum(c.status == "unknown" for c in checks),
    }


def as_json(results: list[DeviceResult]) -> dict[str, Any]:
    return {"devices": [r.as_json() for r in results], "summary": summary(results)}
