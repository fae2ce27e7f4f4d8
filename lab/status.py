"""What is running: `provdc lab status` and `lab_status()`, the same facts for scripts and tests."""

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from provdc.core.errors import ProvdcError
from provdc.inventory import load_inventory
from provdc.inventory.model import SnmpSettings
from provdc.lab import daemons, hosts
from provdc.lab import vcsim as lab_vcsim
from provdc.lab.credentials import USER, read_secret
from provdc.lab.errors import LabError
from provdc.lab.frr_day0 import CORE_IF, LAN_IF, WAN_IF
from provdc.lab.memory import memory_by_namespace
from provdc.lab.paths import LabPaths
from provdc.lab.state import LabRecord, read_record
from provdc.lab.system import NETNS_DIR, run
from provdc.lab.topology import Node

WATCHED_LINKS = (WAN_IF, LAN_IF, CORE_IF, "eth0")
STATUS_WORKERS = 8


@dataclass(frozen=True)
class NodeStatus:
    name: str
    kind: str
    site: str
    namespace: str
    mgmt_address: str
    state: str  # up | degraded | down
    processes: dict[str, int | None]
    snmp: dict[str, Any]
    ssh: dict[str, Any]
    links: dict[str, str] = field(default_factory=dict)  # interface → operstate
    bgp: dict[str, str] = field(default_factory=dict)  # neighbour → state
    memory_kib: int = 0  # PSS of the node's processes

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "site": self.site,
            "namespace": self.namespace,
            "mgmt_address": self.mgmt_address,
            "snmp": self.snmp,
            "ssh": self.ssh,
            "state": self.state,
            "processes": self.processes,
            "links": self.links,
            "bgp": self.bgp,
            "memory_kib": self.memory_kib,
        }


@dataclass(frozen=True)
class LabStatus:
    up: bool
    scale: str | None
    nodes: tuple[NodeStatus, ...]
    target: str | None  # the generated target's file; load it with load_target("lab")
    services: dict[str, Any]
    mgmt_source: str | None
    up_seconds: float = 0.0

    def node(self, name: str) -> NodeStatus:
        for n in self.nodes:
            if name in (n.name, n.namespace, n.site):
                return n
        raise KeyError(name)

    def of_kind(self, kind: str) -> list[NodeStatus]:
        return [n for n in self.nodes if n.kind == kind]

    def as_json(self) -> dict[str, Any]:
        return {
            "up": self.up,
            "scale": self.scale,
            "target": self.target,
            "mgmt_source": self.mgmt_source,
            "up_seconds": self.up_seconds,
            "nodes": [n.as_json() for n in self.nodes],
            "services": self.services,
        }


def _processes(paths: LabPaths, node: Node) -> dict[str, int | None]:
    return hosts.host_pids(paths, node) if node.kind == "host" else daemons.node_pids(paths, node)


def healthy(paths: LabPaths, record: LabRecord) -> bool:
    """Every namespace there and every daemon of every node alive."""
    return all(
        (NETNS_DIR / n.namespace).exists() and all(p is not None for p in _processes(paths, n).values())
        for n in record.nodes
    )


def _links(node: Node) -> dict[str, str]:
    try:
        data = json.loads(run(["ip", "-n", node.namespace, "-j", "link", "show"], check=False) or "[]")
    except ValueError:
        return {}
    return {
        link["ifname"]: link.get("operstate", "?")
        for link in data
        if link.get("ifname") in WATCHED_LINKS
        or (node.kind == "pe" and link.get("ifname") not in ("lo", "mgmt0"))
    }


def _snmp(node: Node, community: str, snmp: SnmpSettings | None) -> dict[str, Any]:
    v3: dict[str, Any] = {
        "user": snmp.user if snmp else "",
        "auth": snmp.auth if snmp else "SHA",
        "priv": snmp.priv if snmp else "AES",
        "level": "authPriv",
    }
    return {
        "address": str(node.mgmt_address),
        "port": 161,
        "community": community,
        "v3": v3,
    }


def lab_status(detail: bool = True, snmp: SnmpSettings | None = None) -> LabStatus:
    """The lab as it is now; `detail` adds link and BGP state (a few vtysh/ip calls per node)."""
    if os.geteuid() != 0:
        raise LabError("lab: status needs root (it reads the lab's namespaces and secrets); run it as root")
    paths = LabPaths.current()
    record = read_record(paths)
    if record is None:
        return LabStatus(False, None, (), None, {}, None)
    if snmp is None:
        snmp = _inventory_snmp()
    memory = memory_by_namespace(n.namespace for n in record.nodes) if detail else {}
    community = read_secret(paths, "snmp-community")

    def one(n: Node) -> NodeStatus:
        procs = _processes(paths, n)
        exists = (NETNS_DIR / n.namespace).exists()
        alive = [p is not None for p in procs.values()]
        state = "up" if exists and all(alive) else "degraded" if exists and any(alive) else "down"
        return NodeStatus(
            n.name,
            n.kind,
            n.site,
            n.namespace,
            str(n.mgmt_address),
            state,
            procs,
            _snmp(n, community, snmp),
            {"address": str(n.mgmt_address), "port": 22, "username": USER},
            _links(n) if detail and exists else {},
            bgp_peers(n) if detail and exists and n.kind != "host" and state != "down" else {},
            memory.get(n.namespace, 0),
        )

    with ThreadPoolExecutor(max_workers=STATUS_WORKERS) as pool:
        nodes = list(pool.map(one, record.nodes))
    up = all(n.state == "up" for n in nodes)
    return LabStatus(
        up,
        record.scale,
        tuple(nodes),
        str(paths.target),
        services(paths),
        str(record.mgmt_source),
        record.up_seconds,
    )


def services(paths: LabPaths) -> dict[str, Any]:
    """Services beside the nodes: the lab's vcsim when it runs, as {"vcsim": {"url", ...}}."""
    found = lab_vcsim.service(paths)
    return {"vcsim": found} if found else {}


def bgp_peers(node: Node) -> dict[str, str]:
    """Each BGP neighbour of a router and its state, read with vtysh."""
    out = run(["vtysh", "-N", node.namespace, "-c", "show bgp summary json"], check=False, timeout=10)
    try:
        peers = json.loads(out).get("ipv4Unicast", {}).get("peers", {})
    except ValueError:
        return {}
    return {addr: str(p.get("state", "?")) for addr, p in peers.items()}


def _inventory_snmp() -> SnmpSettings | None:
    try:
        return load_inventory().services.snmp
    except ProvdcError:  # status must answer even when the inventory no longer loads
        return None
