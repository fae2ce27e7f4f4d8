"""Which nodes and links a lab of a given scale has: pure data, derived from the inventory.

Inventory addresses are the lab's addresses: a router keeps its loopback (its management
address), a PE its loopback, a host the address of the VM it stands for.
"""

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface
from typing import Literal

from provdc.core.errors import ProvdcError
from provdc.inventory.model import VM, Device, Inventory, ProviderEdge, Site

Scale = Literal["small", "district", "full"]
SCALES: tuple[Scale, ...] = ("small", "district", "full")
NodeKind = Literal["router", "pe", "host"]

PREFIX = "pdc-"  # every namespace of the lab
MGMT_PREFIX = "pdcm"  # the root-namespace end of every management veth
COMMUNES_PER_DISTRICT_SMALL = 2
# The first host of each: the portals, the database and the central services (SOC, NTP/DNS, NMS).
HOST_GROUPS_SMALL = ("reverse_proxy", "portal", "database", "siem", "infra", "monitoring")
# The carrier's core link between its PEs: outside the province's plan, like the carrier itself.
PE_CORE_NETWORK = "100.127.31.0/31"


@dataclass(frozen=True)
class Node:
    """One namespace of the lab."""

    name: str  # inventory name: router hostname, PE name, VM name
    kind: NodeKind
    site: str  # inventory site id; "carrier" for PEs
    short: str  # ≤ 11 ASCII chars, unique: used in namespace and interface names
    mgmt_address: IPv4Address
    index: int  # position in the lab, names the management veth

    @property
    def namespace(self) -> str:
        return PREFIX + self.short

    @property
    def mgmt_veth(self) -> str:
        return f"{MGMT_PREFIX}{self.index:04d}"


@dataclass(frozen=True)
class Topology:
    scale: Scale
    nodes: tuple[Node, ...]
    ce_sites: tuple[Site, ...]  # sites whose CE router is in the lab
    pes: tuple[ProviderEdge, ...]
    dc_routers: tuple[Device, ...]  # DC core devices beside the DC site's router
    hosts: tuple[VM, ...]
    mgmt_source: IPv4Address  # the machine's own address in the DC management network

    def node(self, name: str) -> Node:
        """A node by inventory name, site id, short name or namespace."""
        for n in self.nodes:
            if name in (n.name, n.short, n.namespace) or (n.kind == "router" and name == n.site):
                return n
        raise ProvdcError(f"no lab node '{name}' (see 'provdc lab status')")

    def site_node(self, site_id: str) -> Node:
        return next(n for n in self.nodes if n.kind == "router" and n.site == site_id)

    def pe_of(self, site: Site) -> Node:
        return next(n for n in self.nodes if n.kind == "pe" and n.name == site.wan.pe)

    def sites_on(self, pe: str) -> list[Site]:
        return [s for s in self.ce_sites if s.wan.pe == pe]


def site_short(site: Site) -> str:
    if site.kind in ("dc", "dr"):
        return site.kind
    if site.kind == "agency":
        return f"a{site.slot}"
    return ("d" if site.kind == "district" else "c") + site.code


def host_short(name: str) -> str:
    """A VM name shortened to 11 characters, keeping its number: siem-collector-01 → siem-col-01."""
    return name if len(name) <= 11 else name[:8] + name[-3:]


def _select_sites(inv: Inventory, scale: Scale, district: str | None) -> list[Site]:
    districts = sorted(inv.sites_of("district"), key=lambda s: s.code)
    communes = sorted(inv.sites_of("commune"), key=lambda s: s.code)
    dc = inv.sites_of("dc")
    if scale == "full":
        return [*dc, *inv.sites_of("dr"), *inv.sites_of("agency"), *districts, *communes]
    chosen: list[Site] = []
    for d in districts:
        chosen += [c for c in communes if c.parent == d.id][:COMMUNES_PER_DISTRICT_SMALL]
    if scale == "district":
        target = district or districts[0].code
        if not any(d.code == target or d.id == target for d in districts):
            raise ProvdcError(f"--district {target}: no such district in the inventory")
        chosen += [c for c in communes if c.parent in (target, f"dist-{target}") and c not in chosen]
    return [*dc, *districts, *sorted(chosen, key=lambda s: s.code)]


def _select_hosts(inv: Inventory, scale: Scale) -> list[VM]:
    if scale == "full":
        return list(inv.workloads)
    groups: list[str] = list(HOST_GROUPS_SMALL)
    if scale == "district":
        groups += sorted({vm.group for vm in inv.workloads} - set(groups))
    firsts = [next((vm for vm in inv.workloads if vm.group == g), None) for g in groups]
    return [vm for vm in firsts if vm is not None]


def mgmt_source(inv: Inventory) -> IPv4Address:
    """The highest free address of the first DC management network: the machine's lab address."""
    net = inv.services.management_networks[0]
    used = {d.mgmt_address for d in inv.devices()} | {vm.address for vm in inv.workloads}
    used |= {lan.gateway for s in inv.sites.values() for lan in s.lans}
    for offset in range(net.num_addresses - 2, 0, -1):
        candidate = net.network_address + offset
        if candidate not in used:
            return candidate
    raise ProvdcError(f"no free address in management network {net} for the machine")


def build_topology(inv: Inventory, scale: Scale = "small", district: str | None = None) -> Topology:
    """The lab of `scale`: PEs, the DC core, the chosen CE sites and hosts, each a node."""
    if scale not in SCALES:
        raise ProvdcError(f"--scale {scale}: choose one of {', '.join(SCALES)}")
    sites = _select_sites(inv, scale, district)
    pes = tuple(inv.provider_edges[name] for name in sorted({s.wan.pe for s in sites}))
    dc_routers = tuple(d for d in inv.dc_devices if d.site == "dc" and d.role == "core")
    hosts = _select_hosts(inv, scale)
    nodes: list[Node] = []

    def add(name: str, kind: NodeKind, site: str, short: str, address: IPv4Address) -> None:
        nodes.append(Node(name, kind, site, short, address, len(nodes)))

    for pe in pes:
        add(pe.name, "pe", "carrier", pe.name, pe.loopback)
    for s in sites:
        add(s.router.hostname, "router", s.id, site_short(s), s.router.mgmt_address)
    for d in dc_routers:
        add(d.name, "router", d.site, d.name, d.mgmt_address)
    for vm in hosts:
        add(vm.name, "host", "dc", host_short(vm.name), vm.address)
    shorts = [n.short for n in nodes]
    dupes = sorted({s for s in shorts if shorts.count(s) > 1})
    if dupes:
        raise ProvdcError(f"lab node names collide: {', '.join(dupes)}")
    return Topology(scale, tuple(nodes), tuple(sites), pes, dc_routers, tuple(hosts), mgmt_source(inv))


def pe_core_addresses() -> tuple[IPv4Interface, IPv4Interface]:
    a = IPv4Interface(PE_CORE_NETWORK)
    return a, IPv4Interface(f"{a.ip + 1}/{a.network.prefixlen}")
