"""`lab up` and `lab down`: build the lab from the inventory, and take it away leaving nothing."""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from provdc.core.errors import ProvdcError
from provdc.inventory import load_inventory
from provdc.inventory.model import Inventory
from provdc.lab import cleanup, daemons, frr_day0, hosts
from provdc.lab import vcsim as lab_vcsim
from provdc.lab.credentials import ensure_host_key, ensure_secrets, ensure_user
from provdc.lab.paths import LabPaths
from provdc.lab.plumbing import wire
from provdc.lab.preflight import preflight
from provdc.lab.state import LabRecord, read_record, write_record
from provdc.lab.status import bgp_peers, healthy
from provdc.lab.target import write_known_hosts, write_target
from provdc.lab.topology import Node, Scale, Topology, build_topology

WORKERS = 8
BGP_DEADLINE = 90.0
Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def up(
    scale: Scale = "small",
    district: str | None = None,
    inventory: Path | None = None,
    progress: Progress = _quiet,
) -> LabRecord:
    """Bring the lab up; a healthy lab of the same scale is kept, anything else is cleaned first."""
    preflight()
    paths = LabPaths.current()
    inv = load_inventory(inventory)
    topo = build_topology(inv, scale, district)
    existing = read_record(paths)
    if existing is not None and existing.nodes == topo.nodes and healthy(paths, existing):
        progress("lab already up and healthy")
        write_target(paths, existing, _vcenter(paths, inv, progress))
        return existing
    started = time.monotonic()
    progress("cleaning any earlier lab")
    cleanup.clean()
    paths.state_file.unlink(missing_ok=True)
    paths.root.mkdir(parents=True, exist_ok=True)
    try:
        _build(paths, inv, topo, progress)
        vcenter = _vcenter(paths, inv, progress)
    except BaseException:
        cleanup.clean()
        raise
    record = LabRecord.of(topo, time.time())
    record = LabRecord(
        record.scale, record.mgmt_source, record.nodes, record.started, round(time.monotonic() - started, 2)
    )
    write_known_hosts(paths, record)
    write_target(paths, record, vcenter)
    write_record(paths, record)
    progress(f"lab up: {len(topo.nodes)} nodes in {record.up_seconds:.1f} s")
    return record


def _build(paths: LabPaths, inv: Inventory, topo: Topology, progress: Progress) -> None:
    ensure_secrets(paths)
    ensure_user(paths)
    daemons.write_vtysh_wrapper(paths)
    for n in topo.nodes:
        ensure_host_key(paths, n.short)
    progress(f"wiring {len(topo.nodes)} namespaces")
    wire(topo, hosts.host_lans(inv, topo))
    routers = [n for n in topo.nodes if n.kind != "host"]
    progress(f"starting {len(routers)} routers (FRR, sshd, snmpd)")
    _parallel(lambda n: _start_router(paths, inv, topo, n), routers)
    host_nodes = [n for n in topo.nodes if n.kind == "host"]
    if host_nodes:
        progress(f"starting {len(host_nodes)} hosts")
        _parallel(lambda n: hosts.start_host(paths, inv, topo, n), host_nodes)
    progress("waiting for BGP to the PEs")
    _wait_bgp(topo)


def _vcenter(paths: LabPaths, inv: Inventory, progress: Progress) -> str | None:
    """vcsim kept or (re)started; its URL, or None when its binary is missing (said in one line)."""
    url, said = lab_vcsim.ensure(paths, inv.vsphere)
    progress(said)
    return url


def _parallel(fn: Callable[[Node], None], nodes: list[Node]) -> None:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for future in [pool.submit(fn, n) for n in nodes]:
            future.result()


def router_config(inv: Inventory, topo: Topology, node: Node) -> str:
    if node.kind == "pe":
        return frr_day0.pe_config(inv.provider_edges[node.name], topo, inv)
    device = next((d for d in topo.dc_routers if d.name == node.name), None)
    if device is not None:
        return frr_day0.dc_router_config(device, inv.sites["dc"])
    site = inv.sites[node.site]
    return frr_day0.ce_config(site, inv.provider_edges[site.wan.pe])


def _start_router(paths: LabPaths, inv: Inventory, topo: Topology, node: Node) -> None:
    daemons.write_frr(paths, node, router_config(inv, topo, node))
    daemons.start_frr(paths, node)
    daemons.start_sshd(paths, node)
    location = "carrier" if node.kind == "pe" else inv.sites[node.site].name
    nets = [str(n) for n in inv.services.management_networks]
    daemons.start_snmpd(paths, node, daemons.snmpd_config(paths, node, inv.services.snmp, nets, location))


def _wait_bgp(topo: Topology) -> None:
    pes = [n for n in topo.nodes if n.kind == "pe"]
    deadline = time.monotonic() + BGP_DEADLINE
    while True:
        waiting = {
            f"{pe.name} {addr}" for pe in pes for addr, st in bgp_peers(pe).items() if st != "Established"
        }
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise ProvdcError(
                f"lab: BGP not established after {BGP_DEADLINE:.0f} s: {', '.join(sorted(waiting)[:5])}"
            )
        time.sleep(0.5)


def down() -> dict[str, list[str]]:
    """Stop and remove every lab object; returns what is left (empty lists when all is gone)."""
    preflight(kernel=False)
    paths = LabPaths.current()
    cleanup.clean()
    lab_vcsim.stop(paths)
    paths.state_file.unlink(missing_ok=True)
    deadline = time.monotonic() + 10
    while True:
        left = cleanup.leftovers()
        if not any(left.values()) or time.monotonic() > deadline:
            return left
        time.sleep(0.1)
