"""The Pulumi programs, built from the typed inventory: what each stack declares.

`dc-core`: folders, resource pools, distributed port groups, NFS datastores by tier, the
security-level tag category and tags, the workload VMs and the DRS anti-affinity rules of
their HA pairs.
"""

import base64
import json
from collections import defaultdict
from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Network

import pulumi
from pulumi import Output, ResourceOptions

from provdc.core.errors import ProvdcError
from provdc.inventory.model import VM, Inventory
from provdc.stacks.datastores import NasDatastore
from provdc.stacks.drs import AntiAffinityRule
from provdc.stacks.folders import Folder
from provdc.stacks.pools import ResourcePool
from provdc.stacks.portgroups import PortGroup
from provdc.stacks.tags import Category, Tag, TagAttachment
from provdc.stacks.vms import VirtualMachine

GUEST_IDS = {
    "debian-12": "debian12_64Guest",
    "debian-11": "debian11_64Guest",
    "ubuntu-24.04": "ubuntu64Guest",
}
SECURITY_CATEGORY = "provdc-security-level"
DESCRIPTION = "Cấp độ an toàn hệ thống thông tin (Nghị định 85/2016/NĐ-CP)"


def pool_name(folder: str) -> str:
    return f"rp-{folder}"


def nic_networks(inv: Inventory, vm: VM) -> list[tuple[IPv4Network, IPv4Address]]:
    """(subnet, gateway) of each NIC from the IPAM: its port group's DC LAN and that LAN's router."""
    lans = {lan.network: lan for site in inv.sites_of("dc") for lan in site.lans}
    networks = {pg.name: pg.network for pg in inv.vsphere.port_groups}
    return [(networks[n.port_group], lans[networks[n.port_group]].gateway) for n in vm.nics]


def customization(inv: Inventory, vm: VM) -> dict[str, object]:
    """The guest customisation of the clone: hostname, each NIC's fixed address, the gateway
    (first NIC only: one default route) and the DNS servers and domain of the province."""
    nics = [
        {"ip": str(nic.ip), "netmask": str(net.netmask), "gateway": str(gw) if i == 0 else ""}
        for i, (nic, (net, gw)) in enumerate(zip(vm.nics, nic_networks(inv, vm), strict=True))
    ]
    return {
        "hostname": vm.name,
        "domain": inv.province.domain,
        "dns": [str(a) for a in inv.services.dns],
        "nics": nics,
    }


def template_for(inv: Inventory, vm: VM) -> str:
    """The template VM of the VM's OS (vsphere.templates)."""
    name = inv.vsphere.templates.get(vm.os)
    if name is None:
        raise ProvdcError(f"{vm.src}: VM {vm.name}: no template for os '{vm.os}' in vsphere.templates")
    return name


def cloud_init_metadata(inv: Inventory, vm: VM) -> str:
    """cloud-init's VMware datasource metadata (guestinfo.metadata, base64): name and addresses."""
    ethernets: dict[str, object] = {}
    for i, (nic, (net, gw)) in enumerate(zip(vm.nics, nic_networks(inv, vm), strict=True)):
        eth: dict[str, object] = {"addresses": [f"{nic.ip}/{net.prefixlen}"]}
        if i == 0:
            eth["routes"] = [{"to": "default", "via": str(gw)}]
        ethernets[f"ens{192 + 32 * i}"] = eth  # vmxnet3 names by PCI slot
    meta = {
        "instance-id": vm.name,
        "local-hostname": vm.name,
        "network": {"version": 2, "ethernets": ethernets},
    }
    return base64.b64encode(json.dumps(meta, sort_keys=True).encode()).decode()


def vm_props(inv: Inventory, vm: VM) -> dict[str, object]:
    """The inputs of one VM resource: plain data from the model."""
    vs = inv.vsphere
    disks = []
    for disk in vm.disks:
        ds = vs.datastore_for(disk.tier, vm.cluster)
        if ds is None:
            raise ProvdcError(f"{vm.src}: VM {vm.name}: no {disk.tier} datastore on cluster {vm.cluster}")
        disks.append({"size_gb": disk.size_gb, "datastore": ds.name, "thin": disk.provisioning == "thin"})
    return {
        "datacenter": vs.datacenter,
        "cluster": vm.cluster,
        "pool": pool_name(vm.folder),
        "folder": vm.folder,
        "name": vm.name,
        "cpu": vm.cpu,
        "memory_mb": vm.memory_gb * 1024,
        "guest_id": GUEST_IDS.get(vm.os, "otherLinux64Guest"),
        "disks": disks,
        "nics": [{"port_group": n.port_group} for n in vm.nics],
        "metadata": cloud_init_metadata(inv, vm),
        "template": template_for(inv, vm),
        "customization": customization(inv, vm),
        "annotation": f"{vm.service} (provdc, {vm.group}, cấp độ {vm.security_level})",
    }


def dc_core(inv: Inventory) -> Callable[[], None]:
    """The inline program of the `dc-core` stack."""

    def program() -> None:
        vs = inv.vsphere
        dc = vs.datacenter
        folders = {f: Folder(f"folder-{f}", {"datacenter": dc, "name": f}) for f in vs.folders}
        pools = {
            (c, f): ResourcePool(
                f"pool-{c}-{f}", {"datacenter": dc, "cluster": c, "name": pool_name(f), "shares": "normal"}
            )
            for c, f in sorted({(vm.cluster, vm.folder) for vm in inv.workloads})
        }
        pgs = {
            pg.name: PortGroup(
                f"pg-{pg.name}", {"datacenter": dc, "switch": pg.switch, "name": pg.name, "vlan": pg.vlan}
            )
            for pg in vs.port_groups
        }
        stores = {
            ds.name: NasDatastore(
                f"ds-{ds.name}",
                {
                    "datacenter": dc,
                    "name": ds.name,
                    "remote_host": str(ds.nfs_server),
                    "remote_path": ds.nfs_path,
                    "clusters": sorted(ds.clusters),
                    "tier": ds.tier,
                },
            )
            for ds in vs.datastores
        }
        category = Category(
            "tag-category-security",
            {"name": SECURITY_CATEGORY, "description": DESCRIPTION, "types": ["VirtualMachine"]},
        )
        levels = {
            level: Tag(
                f"tag-cap-do-{level}",
                {"category_id": category.id, "name": f"cap-do-{level}", "description": f"Cấp độ {level}"},
            )
            for level in sorted({vm.security_level for vm in inv.workloads})
        }
        vms = {}
        for vm in inv.workloads:
            props = vm_props(inv, vm)
            needs = [
                folders[vm.folder],
                pools[(vm.cluster, vm.folder)],
                *(pgs[n.port_group] for n in vm.nics),
                *(stores[str(d["datastore"])] for d in props["disks"]),  # type: ignore[attr-defined]
            ]
            vms[vm.name] = VirtualMachine(f"vm-{vm.name}", props, ResourceOptions(depends_on=needs))
            TagAttachment(
                f"tag-{vm.name}",
                {
                    "tag_id": levels[vm.security_level].id,
                    "object_type": "VirtualMachine",
                    "object_id": vms[vm.name].id,
                },
            )
        pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
        for vm in inv.workloads:
            if vm.anti_affinity:
                pairs[(vm.cluster, vm.anti_affinity)].append(vm.name)
        for (cluster, group), names in sorted(pairs.items()):
            if len(names) < 2:
                continue
            members = Output.all(*(vms[n].id for n in names)).apply(sorted)
            AntiAffinityRule(
                f"drs-{group}", {"datacenter": dc, "cluster": cluster, "name": f"aa-{group}", "vms": members}
            )
        pulumi.export("vms", {name: r.id for name, r in vms.items()})
        pulumi.export("port_groups", {name: r.id for name, r in pgs.items()})
        pulumi.export("datastores", {name: r.id for name, r in stores.items()})
        pulumi.export("folders", {name: r.id for name, r in folders.items()})
        # The addresses the clones were customised with (the IPAM's, as `hosts` and the Ansible
        # inventory export read them from the same model): `stack outputs` shows what was applied.
        pulumi.export("addresses", {vm.name: str(vm.address) for vm in inv.workloads})
        pulumi.export("vm_count", len(vms))

    return program


PROGRAMS: dict[str, Callable[[Inventory], Callable[[], None]]] = {"dc-core": dc_core}
