"""Day-0 FRR configuration of every lab router: interfaces, addresses, eBGP or static to the PE.

This is the lab's own bootstrap, enough for SSH, SNMP and routing; `provdc net push` later
converges routers to the golden configuration. Every router is FRR whatever its production
platform; its port names are the FRR platform's (platforms.py), which lab plumbing gives the
router's veth to its PE and its LAN bridge.
"""

from ipaddress import IPv4Address, IPv4Interface

from provdc.inventory.model import Device, Inventory, ProviderEdge, Site
from provdc.inventory.platforms import PLATFORMS
from provdc.lab.topology import Topology, pe_core_addresses, site_short

WAN_IF = PLATFORMS["frr"].stand_in_ports.wan
LAN_IF = PLATFORMS["frr"].stand_in_ports.lan
CORE_IF = "core0"
BGP_TIMERS = (" neighbor {peer} timers 3 9", " neighbor {peer} timers connect 5")


def _header(hostname: str) -> list[str]:
    return [
        "frr defaults traditional",
        f"hostname {hostname}",
        "ip forwarding",
        "service integrated-vtysh-config",
        "!",
    ]


def _neighbor(peer: IPv4Address, asn: int, description: str) -> list[str]:
    lines = [f" neighbor {peer} remote-as {asn}", f" neighbor {peer} description {description}"]
    return lines + [t.format(peer=peer) for t in BGP_TIMERS]


def ce_config(site: Site, pe: ProviderEdge) -> str:
    r, wan = site.router, site.wan
    lines = _header(r.hostname)
    lines += ["interface lo", f" ip address {r.loopback}/32", "exit", "!"]
    lines += [
        f"interface {WAN_IF}",
        f" description {wan.circuit_id} {wan.carrier} {wan.bandwidth_mbps}M to {wan.pe}",
        f" ip address {wan.ce_address}/{wan.network.prefixlen}",
        "exit",
        "!",
        f"interface {LAN_IF}",
        " description site LANs",
    ]
    lines += [f" ip address {lan.gateway}/{lan.network.prefixlen}" for lan in site.lans]
    lines += ["exit", "!"]
    if wan.routing == "static":
        lines += [f"ip route 0.0.0.0/0 {wan.pe_address}", "!"]
    else:
        lines += [f"router bgp {r.asn}", f" bgp router-id {r.loopback}", " no bgp ebgp-requires-policy"]
        lines += _neighbor(wan.pe_address, pe.asn, f"{wan.pe} {wan.circuit_id}")
        lines += [" address-family ipv4 unicast", f"  network {r.loopback}/32"]
        lines += [f"  network {lan.network}" for lan in site.lans]
        lines += [" exit-address-family", "exit", "!"]
    return "\n".join([*lines, "end", ""])


def pe_config(pe: ProviderEdge, topo: Topology, inv: Inventory) -> str:
    """The carrier's PE: one interface per CE circuit, eBGP (or static) to each, iBGP to the other PEs."""
    lines = _header(pe.name)
    lines += ["interface lo", f" ip address {pe.loopback}/32", "exit", "!"]
    sites = topo.sites_on(pe.name)
    for s in sites:
        lines += [
            f"interface {site_short(s)}",
            f" description {s.wan.circuit_id} to {s.router.hostname}",
            f" ip address {s.wan.pe_address}/{s.wan.network.prefixlen}",
            "exit",
            "!",
        ]
    core = _core_address(pe, topo)
    if core is not None:
        lines += [f"interface {CORE_IF}", " description carrier core", f" ip address {core[0]}", "exit", "!"]
    for s in sites:
        if s.wan.routing == "static":
            routes = [f"{s.router.loopback}/32", *(str(lan.network) for lan in s.lans)]
            lines += [f"ip route {r} {s.wan.ce_address}" for r in routes]
    lines += ["!", f"router bgp {pe.asn}", f" bgp router-id {pe.loopback}", " no bgp ebgp-requires-policy"]
    for s in sites:
        if s.wan.routing == "bgp":
            lines += _neighbor(s.wan.ce_address, s.router.asn, f"{s.router.hostname} {s.wan.circuit_id}")
    if core is not None:
        lines += _neighbor(core[1].ip, pe.asn, "carrier core")
    lines += [" address-family ipv4 unicast", "  redistribute connected", "  redistribute static"]
    if core is not None:
        lines += [f"  neighbor {core[1].ip} next-hop-self"]
    lines += [" exit-address-family", "exit", "!"]
    return "\n".join([*lines, "end", ""])


def _core_address(pe: ProviderEdge, topo: Topology) -> tuple[IPv4Interface, IPv4Interface] | None:
    """This PE's address on the carrier core link and the other PE's, when there are two PEs."""
    if len(topo.pes) != 2:
        return None
    a, b = pe_core_addresses()
    return (a, b) if pe.name == topo.pes[0].name else (b, a)


def dc_router_config(device: Device, dc: Site) -> str:
    """A DC core device beside the DC site's router: on its management LAN, default route to it."""
    mgmt = dc.lan("mgmt")
    prefix = mgmt.network.prefixlen if mgmt else 24
    gateway = mgmt.gateway if mgmt else dc.router.loopback
    lines = _header(device.name)
    lines += [f"interface {LAN_IF}", f" ip address {device.mgmt_address}/{prefix}", "exit", "!"]
    lines += [f"ip route 0.0.0.0/0 {gateway}", "!"]
    return "\n".join([*lines, "end", ""])
