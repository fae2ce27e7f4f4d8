"""The lab's wiring: namespaces, veth pairs and the out-of-band management paths.

Management: one veth pair per node, `mgmt0` inside, `pdcmNNNN` in the root namespace with no
address; the machine owns one address S of the DC management network (on `lo`, label `lo:pdc`)
and routes each node's address /32 to its veth with source S; inside, S/32 goes back on `mgmt0`.
The management link is never given to FRR, so it is never redistributed.
"""

import json

from provdc.core.errors import ProvdcError
from provdc.lab.frr_day0 import CORE_IF, LAN_IF, WAN_IF
from provdc.lab.system import ip_batch, run
from provdc.lab.topology import MGMT_PREFIX, Node, Topology, site_short

MGMT_IF = "mgmt0"
LO_LABEL = "lo:pdc"  # marks the machine's lab address, so cleanup finds it
LAN_STUB = ("lan0-stub", "lan0-peer")  # keeps a LAN bridge with no host attached up
HOST_IF = "eth0"


def host_port(node: Node) -> str:
    """The DC core's end of a host's (or DC device's) link into the DC LAN bridge."""
    return "h-" + node.short


def _root_lines(topo: Topology) -> list[str]:
    lines = [f"netns add {n.namespace}" for n in topo.nodes]
    lines.append(f"address add {topo.mgmt_source}/32 dev lo label {LO_LABEL}")
    for n in topo.nodes:
        lines += [
            f"link add {n.mgmt_veth} type veth peer name {MGMT_IF} netns {n.namespace}",
            f"link set {n.mgmt_veth} alias {n.name}",
            f"link set {n.mgmt_veth} up",
            f"route add {n.mgmt_address}/32 dev {n.mgmt_veth} src {topo.mgmt_source}",
        ]
    for s in topo.ce_sites:
        ce, pe = topo.site_node(s.id), topo.pe_of(s)
        lines.append(
            f"link add {WAN_IF} netns {ce.namespace} type veth peer name {site_short(s)} netns {pe.namespace}"
        )
    if len(topo.pes) == 2:
        a, b = (n for n in topo.nodes if n.kind == "pe")
        lines.append(
            f"link add {CORE_IF} netns {a.namespace} type veth peer name {CORE_IF} netns {b.namespace}"
        )
    for n in topo.nodes:
        if n.kind != "router" or _is_dc_device(topo, n):
            continue
        ns = n.namespace
        lines += [
            f"link add {LAN_IF} netns {ns} type bridge",
            f"link add {LAN_STUB[0]} netns {ns} type veth peer name {LAN_STUB[1]} netns {ns}",
        ]
    dc = _dc_node(topo)
    for n in topo.nodes:
        if dc is not None and (n.kind == "host" or _is_dc_device(topo, n)):
            inner = HOST_IF if n.kind == "host" else LAN_IF
            peer = f"{host_port(n)} netns {dc.namespace}"
            lines.append(f"link add {inner} netns {n.namespace} type veth peer name {peer}")
    return lines


def _dc_node(topo: Topology) -> Node | None:
    return next((n for n in topo.nodes if n.kind == "router" and n.short == "dc"), None)


def _is_dc_device(topo: Topology, node: Node) -> bool:
    return any(d.name == node.name for d in topo.dc_routers)


def _node_lines(topo: Topology, node: Node) -> list[str]:
    lines = ["link set lo up", f"link set {MGMT_IF} up"]
    if node.kind in ("router", "pe") and not _is_dc_device(topo, node):
        lines.append(f"address add {node.mgmt_address}/32 dev lo")
    if node.kind == "pe":
        lines += [f"link set {site_short(s)} up" for s in topo.sites_on(node.name)]
        if len(topo.pes) == 2:
            lines.append(f"link set {CORE_IF} up")
    elif node.kind == "router" and not _is_dc_device(topo, node):
        lines += [
            f"link set {WAN_IF} up",
            f"link set {LAN_STUB[0]} master {LAN_IF}",
            f"link set {LAN_STUB[0]} up",
            f"link set {LAN_STUB[1]} up",
            f"link set {LAN_IF} up",
        ]
        if node.short == "dc":
            for other in topo.nodes:
                if other.kind == "host" or _is_dc_device(topo, other):
                    lines += [
                        f"link set {host_port(other)} master {LAN_IF}",
                        f"link set {host_port(other)} up",
                    ]
    elif node.kind == "router":  # a DC device on the DC management LAN
        lines.append(f"link set {LAN_IF} up")
    lines.append(f"route add {topo.mgmt_source}/32 dev {MGMT_IF}")
    return lines


def conflicts(topo: Topology) -> list[str]:
    """Routes of the machine to a node's address that the lab did not make (they would hide the node)."""
    wanted = {str(n.mgmt_address) for n in topo.nodes}
    found = []
    for route in json.loads(run(["ip", "-j", "route", "show"]) or "[]"):
        dst = str(route.get("dst", "")).removesuffix("/32")
        if dst in wanted and not str(route.get("dev", "")).startswith(MGMT_PREFIX):
            found.append(f"{dst} dev {route.get('dev', '?')}")
    return found


def wire(topo: Topology, host_lans: dict[str, tuple[int, str]]) -> None:
    """Create every namespace and link; router addresses beyond loopbacks are FRR's (day-0 config).

    `host_lans` gives each host (by short name) its DC LAN prefix length and gateway.
    """
    taken = conflicts(topo)
    if taken:
        raise ProvdcError(f"lab: this machine already routes lab addresses elsewhere: {', '.join(taken[:3])}")
    ip_batch(_root_lines(topo))
    for node in topo.nodes:
        lines = _node_lines(topo, node)
        if node.kind == "host" and node.short in host_lans:
            prefixlen, gateway = host_lans[node.short]
            lines = [
                f"address add {node.mgmt_address}/{prefixlen} dev {HOST_IF}",
                f"link set {HOST_IF} up",
                *lines,
                f"route add default via {gateway} dev {HOST_IF}",
            ]
        ip_batch(lines, node.namespace)
