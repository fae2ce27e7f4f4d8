"""Phase 4 of loading: checks across the whole model. Each check yields every problem it finds."""

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from ipaddress import IPv4Address, IPv4Network

from provdc.inventory.model import VM, Inventory, Located, Services, Site
from provdc.inventory.source import Problem

Check = Callable[[Inventory], Iterator[Problem]]


def _p(src: Located, code: str, message: str) -> Problem:
    return Problem(src.file, src.line, code, message)


def _root(inv: Inventory) -> Located:
    return Located(inv.root, 0)


def unique_hostnames(inv: Inventory) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    named = [(s.router.hostname, f"site {s.id}", s.src) for s in inv.sites.values()]
    named += [(d.name, f"device of {d.site}", d.src or _root(inv)) for d in inv.dc_devices]
    named += [(pe, "carrier PE", _root(inv)) for pe in inv.provider_edges]
    named += [(vm.name, "VM", vm.src) for vm in inv.workloads]
    for name, what, src in named:
        if name in seen:
            yield _p(src, "duplicate-hostname", f"hostname {name} ({what}) is already used by {seen[name]}")
        else:
            seen[name] = what


def unique_addresses(inv: Inventory) -> Iterator[Problem]:
    owners: dict[IPv4Address, str] = {}
    claims: list[tuple[IPv4Address, str, Located]] = []
    for s in inv.sites.values():
        claims.append((s.router.loopback, f"loopback of {s.router.hostname}", s.src))
        claims.append((s.wan.ce_address, f"WAN of {s.router.hostname}", s.src))
        claims += [(lan.gateway, f"{lan.role} gateway of {s.id}", s.src) for lan in s.lans]
    claims += [(pe.loopback, f"loopback of {pe.name}", _root(inv)) for pe in inv.provider_edges.values()]
    claims += [(d.mgmt_address, f"management of {d.name}", d.src or _root(inv)) for d in inv.dc_devices]
    claims += [(n.ip, f"NIC of VM {vm.name}", vm.src) for vm in inv.workloads for n in vm.nics]
    for address, what, src in claims:
        if address in owners:
            yield _p(src, "duplicate-ip", f"{address} ({what}) is already the {owners[address]}")
        else:
            owners[address] = what


def networks_disjoint(inv: Inventory) -> Iterator[Problem]:
    """No two site LANs or WAN links overlap (sorted sweep: n log n for the whole province)."""
    nets: list[tuple[IPv4Network, str, Located]] = []
    for s in inv.sites.values():
        nets.append((s.wan.network, f"WAN of {s.id}", s.src))
        nets += [(lan.network, f"{lan.role} LAN of {s.id}", s.src) for lan in s.lans]
    nets.sort(key=lambda n: (int(n[0].network_address), n[0].prefixlen))
    last: tuple[IPv4Network, str, Located] | None = None
    for net in nets:
        if last and int(net[0].network_address) <= int(last[0].broadcast_address):
            yield _p(net[2], "overlap", f"{net[0]} ({net[1]}) overlaps {last[0]} ({last[1]})")
        if last is None or int(net[0].broadcast_address) > int(last[0].broadcast_address):
            last = net


def site_vlans(inv: Inventory) -> Iterator[Problem]:
    for s in inv.sites.values():
        seen: dict[int, str] = {}
        for lan in s.lans:
            if lan.vlan in seen:
                yield _p(
                    s.src,
                    "duplicate-vlan",
                    f"site {s.id}: VLAN {lan.vlan} is used by both {seen[lan.vlan]} and {lan.role}",
                )
            seen[lan.vlan] = lan.role


def _folded(text: str) -> str:
    """What a person reads as the same identifier: NFKC, runs of white space as one, any case."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def unique_codes(inv: Inventory) -> Iterator[Problem]:
    """Site codes of one kind differ in more than case (`STP` and `stp` are one agency)."""
    seen: dict[tuple[str, str], str] = {}
    for s in inv.sites.values():
        key = (s.kind, _folded(s.code))
        if key in seen:
            yield _p(s.src, "duplicate-code", f"{s.kind} code {s.code} is already used by {seen[key]}")
        else:
            seen[key] = s.id


def circuits_and_peers(inv: Inventory) -> Iterator[Problem]:
    circuits: dict[str, str] = {}
    asns: dict[int, str] = {}
    carrier_asns = {pe.asn for pe in inv.provider_edges.values()}
    for s in inv.sites.values():
        circuit = _folded(s.wan.circuit_id)
        if circuit in circuits:
            yield _p(
                s.src,
                "duplicate-circuit",
                f"circuit {s.wan.circuit_id} of {s.id} is already the circuit of {circuits[circuit]}",
            )
        circuits[circuit] = s.id
        if s.wan.pe not in inv.provider_edges:
            yield _p(s.src, "reference", f"site {s.id}: PE '{s.wan.pe}' is not a carrier provider edge")
        if s.parent is not None and s.parent not in inv.sites:
            yield _p(
                s.src,
                "reference",
                f"site {s.id}: district '{s.parent.removeprefix('dist-')}' is not in the inventory",
            )
        if s.wan.routing == "bgp":
            if s.router.asn in carrier_asns:
                yield _p(s.src, "asn", f"site {s.id}: ASN {s.router.asn} is the carrier's")
            if s.router.asn in asns:
                yield _p(
                    s.src, "asn", f"site {s.id}: ASN {s.router.asn} is already used by {asns[s.router.asn]}"
                )
            asns[s.router.asn] = s.id


def dc_addressing(inv: Inventory) -> Iterator[Problem]:
    """DC devices, hosts, datastores and VMs sit in the LAN they belong to."""
    dc = inv.sites.get("dc")
    if dc is None:
        yield _p(_root(inv), "missing", "the inventory has no data center (datacenters: id dc)")
        return
    for site_id in ("dc", "dr"):
        site = inv.sites.get(site_id)
        mgmt = site.lan("mgmt") if site else None
        for d in inv.dc_devices:
            if site and d.site == site_id and mgmt and d.mgmt_address not in mgmt.network:
                yield _p(
                    d.src or site.src,
                    "subnet",
                    f"{d.name}: management address {d.mgmt_address} is "
                    f"outside {site_id}'s mgmt LAN {mgmt.network}",
                )
    storage = dc.lan("storage")
    for ds in inv.vsphere.datastores:
        if storage is None or ds.nfs_server not in storage.network:
            yield _p(
                dc.src,
                "subnet",
                f"datastore {ds.name}: NFS server {ds.nfs_server} is outside the DC storage LAN",
            )
    pgs = {pg.name: pg for pg in inv.vsphere.port_groups}
    for vm in inv.workloads:
        for nic in vm.nics:
            pg = pgs.get(nic.port_group)
            if pg is None:
                yield _p(
                    vm.src,
                    "reference",
                    f"VM {vm.name}: port group '{nic.port_group}' is not in vsphere.port_groups",
                )
            elif nic.ip not in pg.network or nic.ip == pg.network.network_address + 1:
                yield _p(
                    vm.src,
                    "subnet",
                    f"VM {vm.name}: {nic.ip} is not a host address of "
                    f"{pg.name} ({pg.network}, .1 is the gateway)",
                )


def vsphere_references(inv: Inventory) -> Iterator[Problem]:
    vs = inv.vsphere
    clusters = {c.name for c in vs.clusters}
    for ds in vs.datastores:
        for c in ds.clusters:
            if c not in clusters:
                yield _p(_root(inv), "reference", f"datastore {ds.name}: cluster '{c}' is unknown")
    for vm in inv.workloads:
        if vm.cluster not in clusters:
            yield _p(vm.src, "reference", f"VM {vm.name}: cluster '{vm.cluster}' is unknown")
            continue
        if vm.folder not in vs.folders:
            yield _p(vm.src, "reference", f"VM {vm.name}: folder '{vm.folder}' is not in vsphere.folders")
        for disk in vm.disks:
            if vs.datastore_for(disk.tier, vm.cluster) is None:
                yield _p(
                    vm.src,
                    "reference",
                    f"VM {vm.name}: no '{disk.tier}' datastore is mounted on cluster {vm.cluster}",
                )


def _first_over(
    vms: list[VM], size: Callable[[VM], float], cap: float, what: str, failures: int
) -> Iterator[Problem]:
    """Report at the VM that takes the cluster over its capacity: that is where to look."""
    total = 0.0
    for vm in vms:
        total += size(vm)
        if total > cap:
            yield _p(
                vm.src,
                "capacity",
                f"{what} reaches {total:g} at VM {vm.name}, over the "
                f"{cap:g} left with {failures} host(s) failed",
            )
            return


def vsphere_capacity(inv: Inventory) -> Iterator[Problem]:
    """Each cluster holds its VMs with `ha_failures` hosts down; each datastore holds its disks."""
    vs = inv.vsphere
    for c in vs.clusters:
        hosts = sorted((h for h in vs.hosts if h.cluster == c.name), key=lambda h: h.memory_gb)
        survivors = hosts[: max(len(hosts) - c.ha_failures, 0)]  # lose the largest hosts
        vms = [vm for vm in inv.workloads if vm.cluster == c.name]
        cpu_cap = sum(h.cpu_cores for h in survivors) * vs.vcpu_per_core
        mem_cap = sum(h.memory_gb for h in survivors)
        yield from _first_over(vms, lambda vm: vm.cpu, cpu_cap, f"cluster {c.name}: vCPU", c.ha_failures)
        yield from _first_over(
            vms, lambda vm: vm.memory_gb, mem_cap, f"cluster {c.name}: memory (GB)", c.ha_failures
        )
        for vm in vms:
            if vm.anti_affinity:
                group = [v for v in vms if v.anti_affinity == vm.anti_affinity]
                if len(group) > len(hosts) and vm is group[0]:
                    yield _p(
                        vm.src,
                        "capacity",
                        f"anti-affinity group {vm.anti_affinity} has "
                        f"{len(group)} VMs but cluster {c.name} only {len(hosts)} hosts",
                    )
    used: dict[str, int] = defaultdict(int)
    first: dict[str, Located] = {}
    for vm in inv.workloads:
        for disk in vm.disks:
            ds = vs.datastore_for(disk.tier, vm.cluster)
            if ds:
                used[ds.name] += disk.size_gb
                first.setdefault(ds.name, vm.src)
    for ds in vs.datastores:
        if used[ds.name] > ds.capacity_gb:
            yield _p(
                first[ds.name],
                "capacity",
                f"datastore {ds.name}: {used[ds.name]} GB of disks exceed its {ds.capacity_gb} GB",
            )


def video_conference_bandwidth(inv: Inventory) -> Iterator[Problem]:
    kbps, share = inv.services.vc_kbps_per_endpoint, inv.services.vc_max_link_share
    for s in inv.sites.values():
        need = s.vc_endpoints * kbps
        have = s.wan.bandwidth_mbps * 1000 * share
        if need > have:
            yield _p(
                s.src,
                "bandwidth",
                f"site {s.id}: {s.vc_endpoints} video-conference endpoints "
                f"need {need / 1000:g} Mbps, over {share:.0%} of its {s.wan.bandwidth_mbps} Mbps link",
            )


def vc_priority_kbps(site: Site, services: Services) -> int:
    """The strict-priority queue a site's router gives video conference: its endpoints' need,
    at most the share of its link QoS may give video (the rule network/context.py renders)."""
    cap = int(site.wan.bandwidth_mbps * 1000 * services.vc_max_link_share)
    return min(site.vc_endpoints * services.vc_kbps_per_endpoint, cap)


MCU_GROUP = "video_conference"  # the workload group of the MCU VMs (in the DC's vSphere)


def mcu_capacity(inv: Inventory) -> Iterator[Problem]:
    """Every remote endpoint calls into the MCU at the DC: their streams share the DC router's
    priority queue, so the queue must hold them all (the per-site check sees one link only)."""
    dc = inv.sites.get("dc")
    if dc is None or not any(vm.group == MCU_GROUP for vm in inv.workloads):
        return
    kbps = inv.services.vc_kbps_per_endpoint
    remote = sum(s.vc_endpoints for s in inv.sites.values() if s.id != dc.id)
    need = remote * kbps
    queue = vc_priority_kbps(dc, inv.services)
    if need > queue:
        share = inv.services.vc_max_link_share
        yield _p(
            dc.src,
            "bandwidth",
            f"MCU at {dc.id}: {remote} remote video-conference endpoints × {kbps} kbps need "
            f"{need / 1000:g} Mbps, over the {queue / 1000:g} Mbps priority queue of {dc.id} "
            f"({dc.vc_endpoints} endpoints; at most {share:.0%} of its {dc.wan.bandwidth_mbps} Mbps link)",
        )


def services_resolve(inv: Inventory) -> Iterator[Problem]:
    vm_ips = {n.ip: vm.name for vm in inv.workloads for n in vm.nics}
    wanted = [("NTP server", a) for a in inv.services.ntp] + [("DNS server", a) for a in inv.services.dns]
    wanted.append(("syslog collector", inv.services.syslog.address))
    for what, address in wanted:
        if address not in vm_ips:
            yield _p(_root(inv), "reference", f"services: {what} {address} is not a workload VM")


CHECKS: tuple[Check, ...] = (
    unique_hostnames,
    unique_codes,
    unique_addresses,
    networks_disjoint,
    site_vlans,
    circuits_and_peers,
    dc_addressing,
    vsphere_references,
    vsphere_capacity,
    video_conference_bandwidth,
    mcu_capacity,
    services_resolve,
)


def run_checks(inv: Inventory) -> list[Problem]:
    return [problem for check in CHECKS for problem in check(inv)]
