"""Reaching into a running lab: `lab exec NODE -- CMD` and `lab link SITE down|up`."""

import os

from provdc.core.errors import ProvdcError
from provdc.lab import daemons, hosts
from provdc.lab.paths import LabPaths
from provdc.lab.state import LabRecord, read_record
from provdc.lab.system import run
from provdc.lab.topology import Node


def _record(paths: LabPaths) -> LabRecord:
    if os.geteuid() != 0:
        raise ProvdcError("lab: needs root to enter a node or set a link; run it as root")
    record = read_record(paths)
    if record is None:
        raise ProvdcError("lab: not up (provdc lab up)")
    return record


def find_node(name: str, paths: LabPaths | None = None) -> Node:
    """A node by inventory name, site id, site code, short name or namespace."""
    record = _record(paths or LabPaths.current())
    node = record.node(name) or record.node(f"com-{name}") or record.node(f"dist-{name}")
    if node is None:
        raise ProvdcError(f"lab: no node '{name}' (see 'provdc lab status')")
    return node


def exec_argv(name: str, command: list[str]) -> list[str]:
    """The command line that runs `command` inside a node: every namespace of a host, or a
    router's network and UTS namespaces with `vtysh` reaching that router's FRR."""
    paths = LabPaths.current()
    node = find_node(name, paths)
    cmd = command or ["/bin/bash", "-l"]
    if node.kind == "host":
        init = hosts.init_pid(paths, node)
        if init is None:
            raise ProvdcError(f"lab: host {node.name} is not running")
        return ["nsenter", "-t", str(init), "-m", "-u", "-n", "-p", "-i", "-r", "-w", *cmd]
    zebra = daemons.node_pids(paths, node).get("zebra")
    target = ["-t", str(zebra), "-n", "-u"] if zebra else ["--net=/run/netns/" + node.namespace]
    env = [
        "env",
        f"FRR_PATHSPACE={node.namespace}",
        f"PATH={paths.bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ]
    return ["nsenter", *target, *env, *cmd]


def set_link(site: str, up: bool) -> Node:
    """Cut (or restore) a site's WAN circuit at the carrier's end, as a real circuit fault does:
    the CE's `wan0` loses carrier (IF-MIB ifOperStatus leaves up) and its BGP session drops."""
    paths = LabPaths.current()
    record = _record(paths)
    node = find_node(site, paths)
    if node.kind != "router":
        raise ProvdcError(f"lab: {node.name} is a {node.kind}; give a site with a WAN link")
    pe_side = _pe_interface(record, node)
    run(["ip", "-n", pe_side[0], "link", "set", pe_side[1], "up" if up else "down"])
    return node


def _pe_interface(record: LabRecord, node: Node) -> tuple[str, str]:
    for pe in (n for n in record.nodes if n.kind == "pe"):
        out = run(["ip", "-n", pe.namespace, "-o", "link", "show", node.short], check=False)
        if out.strip():
            return pe.namespace, node.short
    raise ProvdcError(f"lab: {node.name} has no WAN link in the lab")
