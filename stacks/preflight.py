"""Checks against vCenter before `up`: will the stack fit and find what it builds on?

- the datacenter, each cluster, each inventory host (connected) and the distributed switch exist;
- per cluster, the VMs' vCPUs and memory fit with the `ha_failures` largest hosts down
  (vCPU per core from the inventory);
- per datastore, the VMs' disks fit its capacity (vCenter's figure once it exists, the
  inventory's before);
- no port group of the inventory's names sits on another switch.

Host and datastore figures come from vCenter. A simulator's are made up (vcsim: 2 cores,
4 GiB per host, 10 TiB per datastore): a target with `vcenter: {capacity_source: inventory}`
takes the inventory's figures instead; presence and connection are still checked live.
"""

from collections import defaultdict
from dataclasses import dataclass

from provdc.inventory.model import Inventory
from provdc.inventory.targets import Target
from provdc.stacks import vsphere
from provdc.stacks.program import vm_props
from provdc.stacks.vsphere import Access, vim

GIB = 1024**3


@dataclass(frozen=True)
class HostFigures:
    name: str
    cores: int
    memory_gb: int


def _fits(hosts: list[HostFigures], failures: int, vcpu_per_core: float) -> tuple[float, float]:
    """vCPU and GiB the cluster offers with its `failures` largest hosts down."""
    left = sorted(hosts, key=lambda h: (h.memory_gb, h.cores))[: max(len(hosts) - failures, 0)]
    return sum(h.cores for h in left) * vcpu_per_core, float(sum(h.memory_gb for h in left))


def check(inv: Inventory, target: Target, access: Access) -> list[str]:
    """Every problem found, one line each; empty when `up` may go ahead."""
    vs = inv.vsphere
    problems: list[str] = []
    from_inventory = target.vcenter is not None and target.vcenter.capacity_source == "inventory"
    with vsphere.connect(access) as si:
        dc = vsphere.find(si, vim.Datacenter, vs.datacenter)
        if dc is None:
            return [f"vCenter has no datacenter {vs.datacenter}"]
        dvs = vsphere.find(si, vim.DistributedVirtualSwitch, vs.switch, dc.networkFolder)
        if dvs is None:
            problems.append(f"vCenter has no distributed switch {vs.switch} in {vs.datacenter}")
        for pg in vsphere.find_all(si, vim.dvs.DistributedVirtualPortgroup, dc.networkFolder):
            on = pg.config.distributedVirtualSwitch.name
            if pg.name in {p.name for p in vs.port_groups} and on != vs.switch:
                problems.append(f"port group {pg.name} exists on switch {on}, not {vs.switch}")
        planned = {h.name: h for h in vs.hosts}
        for cl in vs.clusters:
            ccr = vsphere.find(si, vim.ClusterComputeResource, cl.name, dc.hostFolder)
            if ccr is None:
                problems.append(f"vCenter has no cluster {cl.name} in {vs.datacenter}")
                continue
            live = {h.name: h for h in ccr.host}
            figures = []
            for name in cl.hosts:
                host = live.get(name)
                if host is None or host.runtime.connectionState != "connected":
                    state = "missing" if host is None else "not connected"
                    problems.append(f"cluster {cl.name}: host {name} is {state}")
                    continue
                hw = host.summary.hardware
                figures.append(
                    HostFigures(name, planned[name].cpu_cores, planned[name].memory_gb)
                    if from_inventory
                    else HostFigures(name, hw.numCpuCores, hw.memorySize // GIB)
                )
            vms = [vm for vm in inv.workloads if vm.cluster == cl.name]
            cpu_cap, mem_cap = _fits(figures, cl.ha_failures, vs.vcpu_per_core)
            cpu, mem = sum(vm.cpu for vm in vms), sum(vm.memory_gb for vm in vms)
            if cpu > cpu_cap:
                problems.append(
                    f"cluster {cl.name}: {cpu} vCPU needed, {cpu_cap:.0f} available "
                    f"with {cl.ha_failures} host(s) failed"
                )
            if mem > mem_cap:
                problems.append(
                    f"cluster {cl.name}: {mem} GiB memory needed, {mem_cap:.0f} GiB available "
                    f"with {cl.ha_failures} host(s) failed"
                )
        needed: dict[str, int] = defaultdict(int)
        for vm in inv.workloads:
            for disk in vm_props(inv, vm)["disks"]:  # type: ignore[attr-defined]
                needed[disk["datastore"]] += int(disk["size_gb"])
        for ds in vs.datastores:
            live_ds = vsphere.find(si, vim.Datastore, ds.name, dc.datastoreFolder)
            live_capacity = live_ds is not None and not from_inventory
            capacity = live_ds.summary.capacity // GIB if live_capacity else ds.capacity_gb
            if needed[ds.name] > capacity:
                problems.append(
                    f"datastore {ds.name}: {needed[ds.name]} GiB of disks, capacity {capacity} GiB"
                )
    return problems
