"""The state of every site from the latest poll: what the IOC page draws and `monitor serve` exposes.

A site is `down` when its router does not answer or its WAN link (the inventory's link of that
router) is not up, `degraded` when it answers but one of its devices has a failed check,
`up` otherwise, and `unknown` when it was not polled (outside the target or `--site`, or before
the first poll). Its video-conference endpoints sit on the site's VC LAN behind that router: they
are counted up while the site is connected and an MCU answers (every MCU polled and none up
counts them all down).

`SiteCollector` exposes the same facts for Prometheus: `provdc_device_info` (the inventory labels
of each polled device, joined by the alert rules), `provdc_wan_link_up`, `provdc_site_up` (what
the DTI report averages for availability) and the VC endpoint counts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from provdc.inventory.model import Inventory, Site
from provdc.inventory.scope import Scope
from provdc.monitoring.checks import DOWN_OK
from provdc.monitoring.prometheus_export import LABELS, device_labels, mcu_labels, mcu_vms
from provdc.monitoring.request import worst
from provdc.monitoring.results import Agent, DeviceResult

State = Literal["up", "degraded", "down", "unknown"]
STATES: tuple[State, ...] = ("up", "degraded", "down", "unknown")


@dataclass(frozen=True)
class SiteStatus:
    id: str
    kind: str
    name: str
    parent: str | None
    state: State
    reason: str
    vc_planned: int
    vc_up: int


@dataclass(frozen=True)
class Overview:
    """Every site's status and the counts an operator reads first."""

    sites: tuple[SiteStatus, ...]
    devices_polled: int
    devices_unreachable: int
    mcus: int
    mcus_up: int

    def of_kind(self, kind: str) -> list[SiteStatus]:
        return [s for s in self.sites if s.kind == kind]

    @property
    def communes_connected(self) -> int:
        return sum(s.state in ("up", "degraded") for s in self.of_kind("commune"))

    @property
    def vc_planned(self) -> int:
        return sum(s.vc_planned for s in self.sites)

    @property
    def vc_up(self) -> int:
        return sum(s.vc_up for s in self.sites)


def wan_up(agent: Agent, result: DeviceResult) -> dict[str, bool]:
    """interface → up, for the inventory links of a device that answered and has them."""
    if not result.reachable:
        return {}
    found = {i.name: i for i in result.interfaces}
    return {name: found[name].oper_status in DOWN_OK for name in agent.links if name in found}


def _site_state(site: Site, agent: Agent | None, result: DeviceResult | None) -> tuple[State, str]:
    if agent is None:
        return "unknown", "not polled"
    if result is None:
        return "unknown", "no poll yet"
    if not result.reachable:
        return "down", f"router {agent.name} does not answer"
    links = wan_up(agent, result)
    down = sorted(name for name, up in links.items() if not up)
    if down:
        return "down", f"WAN {', '.join(down)} down"
    if agent.links and not links:
        return "degraded", "WAN interface not seen on the router"
    if worst(result) != "ok":
        failed = [c.name for c in result.checks if c.status == "failed"]
        return "degraded", f"{len(failed)} failed check(s): {', '.join(failed[:3])}"
    return "up", "connected"


def overview(
    inv: Inventory, agents: Sequence[Agent], results: Sequence[DeviceResult] | None, mcus: Sequence[str] = ()
) -> Overview:
    """The province's state from one poll (`results` None: before the first one)."""
    by_agent = {a.name: a for a in agents}
    by_result = {r.name: r for r in results or ()}
    mcu_results = [by_result[m] for m in mcus if m in by_result]
    mcu_ok = not mcu_results or any(r.reachable for r in mcu_results)
    sites = []
    for site in inv.sites.values():
        agent = by_agent.get(site.router.hostname)
        state, reason = _site_state(site, agent, by_result.get(site.router.hostname))
        connected = state in ("up", "degraded")
        vc_up = site.vc_endpoints if connected and mcu_ok else 0
        if connected and not mcu_ok:
            reason += "; no MCU answers"
        sites.append(
            SiteStatus(site.id, site.kind, site.name, site.parent, state, reason, site.vc_endpoints, vc_up)
        )
    polled = [r for r in results or () if r.name in by_agent]
    return Overview(
        tuple(sites),
        len(polled),
        sum(not r.reachable for r in polled),
        len(mcu_results),
        sum(r.reachable for r in mcu_results),
    )


def mcu_agents(scope: Scope, like: Agent) -> list[Agent]:
    """The MCU VMs of the target as agents, polled with the same SNMP access as `like`."""
    port = scope.target.snmp.port
    return [
        Agent(name, address, port, like.credentials, "net-snmp", "dc") for name, address in mcu_vms(scope)
    ]


class SiteCollector(Collector):
    """Series beside the poll's own (exporter.py): inventory labels, WAN state, VC endpoints."""

    def __init__(self, inv: Inventory, agents: Sequence[Agent], mcus: Sequence[str] = ()) -> None:
        self._inv = inv
        self._agents = list(agents)
        self._mcus = tuple(mcus)
        self._lock = threading.Lock()
        self._results: list[DeviceResult] | None = None
        devices = {d.name: d for d in inv.devices()}
        self._labels = {}
        for a in self._agents:
            if a.name in devices:
                self._labels[a.name] = device_labels(inv, devices[a.name])
            elif a.name in self._mcus:
                self._labels[a.name] = mcu_labels(inv, a.name)

    def publish(self, results: list[DeviceResult]) -> None:
        with self._lock:
            self._results = list(results)

    def latest(self) -> Overview:
        with self._lock:
            results = self._results
        return overview(self._inv, self._agents, results, self._mcus)

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            results = self._results or []
        info = GaugeMetricFamily("provdc_device_info", "the device's inventory labels", labels=list(LABELS))
        for labels in self._labels.values():
            info.add_metric(list(labels.values()), 1.0)
        wan = GaugeMetricFamily(
            "provdc_wan_link_up", "1 when the inventory's WAN link is oper up", labels=["device", "interface"]
        )
        vc = GaugeMetricFamily("provdc_vc_endpoints", "video-conference endpoints planned", labels=["device"])
        vc_up = GaugeMetricFamily(
            "provdc_vc_endpoints_up", "video-conference endpoints with a path to an MCU", labels=["device"]
        )
        site_up = GaugeMetricFamily(
            "provdc_site_up", "1 when the site is connected (router answers, WAN up)", labels=["device"]
        )
        by_agent = {a.name: a for a in self._agents}
        for r in results:
            agent = by_agent.get(r.name)
            if agent is not None:
                for name, up in wan_up(agent, r).items():
                    wan.add_metric([r.name, name], 1.0 if up else 0.0)
        if results:
            for status in overview(self._inv, self._agents, results, self._mcus).sites:
                router = self._inv.sites[status.id].router.hostname
                if status.state != "unknown":
                    site_up.add_metric([router], 1.0 if status.state in ("up", "degraded") else 0.0)
                if status.vc_planned and status.state != "unknown":
                    vc.add_metric([router], float(status.vc_planned))
                    vc_up.add_metric([router], float(status.vc_up))
        yield from (info, wan, vc, vc_up, site_up)
