"""dc-core against vcsim with the real Pulumi engine: preview, up, no-change preview, an
in-place update from the inventory, drift made by hand, destroy. Every expectation comes from
the inventory files or from pyvmomi reading vCenter back, never from the stack's outputs.

The steps share one vcsim and one stack, and run in file order.
"""

import base64
import json
import re
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from pyVmomi import vim, vmodl
from stack_site import StackSite

from provdc.inventory import Inventory, load_inventory
from provdc.stacks.vcsim import TEMPLATE_STORE

pytestmark = [pytest.mark.vsphere, pytest.mark.slow]
GIB_KB = 1024 * 1024
GUEST = (
    "runtime.powerState",
    "guest.hostName",
    "guest.ipAddress",
    "guest.net",
    "guest.customizationInfo.customizationStatus",
)


def objects(si: Any, kind: Any) -> dict[str, Any]:
    """vCenter's objects of a kind by name; of VMs the workloads only (the OS templates are vcsim's)."""
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    try:
        return {o.name: o for o in view.view if not (kind is vim.VirtualMachine and o.config.template)}
    finally:
        view.Destroy()


def read(si: Any, vm: Any, *paths: str) -> dict[str, Any]:
    """Properties of a VM by path, read alone: vcsim v0.56 sends empty enums in `runtime` and
    `guest` (e.g. runtime.faultToleranceState), which pyvmomi cannot parse whole."""
    query: Any = vmodl.query.PropertyCollector
    spec = query.FilterSpec(
        objectSet=[query.ObjectSpec(obj=vm)],
        propSet=[query.PropertySpec(type=vim.VirtualMachine, pathSet=list(paths))],
    )
    found = si.content.propertyCollector.RetrieveContents([spec])
    return {p.name: p.val for p in found[0].propSet} if found else {}


def disks(vm: Any) -> list[Any]:
    found = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    return sorted(found, key=lambda d: d.unitNumber)


def nic_port_groups(si: Any, vm: Any) -> list[str]:
    keys = {pg.key: pg.name for pg in objects(si, vim.dvs.DistributedVirtualPortgroup).values()}
    nics = [d for d in vm.config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    groups = []
    for nic in sorted(nics, key=lambda d: d.key):
        assert isinstance(nic.backing, vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo)
        groups.append(keys[nic.backing.port.portgroupKey])
    return groups


def rest(site: StackSite, method: str, path: str, body: Any = None, session: str = "") -> Any:
    """vCenter's tagging REST API (legacy paths, which vcsim serves), spoken directly."""
    assert site.sim is not None
    access = site.sim.access()
    headers = {"Content-Type": "application/json"}
    if session:
        headers["vmware-api-session-id"] = session
    else:
        login = f"{access.username}:{access.password}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(login).decode()
    url = f"https://127.0.0.1:{access.port}/rest/com/vmware/cis{path}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, context=ssl._create_unverified_context(), timeout=30) as resp:
        raw = resp.read()
    return json.loads(raw)["value"] if raw else None


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in report["resources"]}


def test_preview_plans_every_inventory_object(site: StackSite, inventory: Inventory) -> None:
    report = site.json("preview", "dc-core")
    plan = by_name(report)
    vs = inventory.vsphere
    assert {f"vm-{vm.name}" for vm in inventory.workloads} <= set(plan)
    assert {f"pg-{pg.name}" for pg in vs.port_groups} <= set(plan)
    assert {f"ds-{ds.name}" for ds in vs.datastores} <= set(plan)
    assert {f"folder-{f}" for f in vs.folders} <= set(plan)
    assert {r["op"] for r in report["resources"]} == {"create"}
    assert report["changes"]["create"] == len(report["resources"])
    with site.vcenter() as si:  # a preview changes nothing
        assert objects(si, vim.VirtualMachine) == {}


def test_up_creates_what_the_inventory_says(site: StackSite, inventory: Inventory) -> None:
    done = site.cli("up", "dc-core", "--yes")
    assert done.returncode == 0, done.stderr
    vs = inventory.vsphere
    with site.vcenter() as si:
        stores = objects(si, vim.Datastore)
        hosts = objects(si, vim.HostSystem)
        for ds in vs.datastores:
            live = stores[ds.name]
            assert (live.info.nas.remoteHost, live.info.nas.remotePath) == (str(ds.nfs_server), ds.nfs_path)
            for cluster in (c for c in vs.clusters if c.name in ds.clusters):
                for host in cluster.hosts:
                    assert ds.name in {d.name for d in hosts[host].datastore}, (ds.name, host)
        pgs = objects(si, vim.dvs.DistributedVirtualPortgroup)
        for pg in vs.port_groups:
            assert pgs[pg.name].config.defaultPortConfig.vlan.vlanId == pg.vlan
            assert pgs[pg.name].config.distributedVirtualSwitch.name == vs.switch
        folders = objects(si, vim.Folder)
        assert set(vs.folders) <= set(folders)
        vms = objects(si, vim.VirtualMachine)
        assert set(vms) == {vm.name for vm in inventory.workloads}
        tier_of = {ds.name: ds.tier for ds in vs.datastores}
        for want in inventory.workloads:
            vm = vms[want.name]
            assert vm.config.hardware.numCPU == want.cpu
            assert vm.config.hardware.memoryMB == want.memory_gb * 1024
            assert vm.parent.name == want.folder
            assert vm.resourcePool.owner.name == want.cluster
            got = [
                (d.capacityInKB // GIB_KB, tier_of[d.backing.datastore.name], bool(d.backing.thinProvisioned))
                for d in disks(vm)
            ]
            assert got == [(d.size_gb, d.tier, d.provisioning == "thin") for d in want.disks], want.name
            assert nic_port_groups(si, vm) == [n.port_group for n in want.nics]
        clusters = objects(si, vim.ClusterComputeResource)
        rules = {
            r.name: sorted(v.name for v in r.vm) for c in clusters.values() for r in c.configurationEx.rule
        }
        pairs: dict[str, list[str]] = {}
        for vm in inventory.workloads:
            if vm.anti_affinity:
                pairs.setdefault(vm.anti_affinity, []).append(vm.name)
        for group, names in pairs.items():
            if len(names) > 1:
                assert rules[f"aa-{group}"] == sorted(names)


def test_clones_boot_with_their_inventory_identity(site: StackSite, inventory: Inventory) -> None:
    """Each VM is a clone of its OS's template, powered on, and vCenter's guest view (what VMware
    Tools report after the customisation ran) shows the inventory's hostname, addresses and DNS."""
    with site.vcenter() as si:
        found = si.RetrieveContent().viewManager.CreateContainerView(
            si.RetrieveContent().rootFolder, [vim.VirtualMachine], True
        )
        templates = {v.name: v for v in found.view if v.config.template}
        found.Destroy()
        assert set(templates) == set(inventory.vsphere.templates.values())
        vms = objects(si, vim.VirtualMachine)
        for want in inventory.workloads:
            vm = vms[want.name]
            guest = read(si, vm, *GUEST)
            assert guest["runtime.powerState"] == "poweredOn", want.name
            assert vm.config.guestId == templates[inventory.vsphere.templates[want.os]].config.guestId
            status = guest["guest.customizationInfo.customizationStatus"]
            assert status == "TOOLSDEPLOYPKG_SUCCEEDED", want.name
            got = (guest["guest.hostName"], guest["guest.ipAddress"])
            assert got == (want.name, str(want.nics[0].ip)), want.name
            nics = guest["guest.net"]
            assert [list(n.ipAddress) for n in nics] == [[str(n.ip)] for n in want.nics], want.name
            for nic in nics:
                assert list(nic.dnsConfig.ipAddress) == [str(a) for a in inventory.services.dns]
                assert nic.dnsConfig.domainName == inventory.province.domain


def test_one_chain_from_the_ipam_to_the_hosts_addresses(site: StackSite, inventory: Inventory) -> None:
    """What `hosts apply` connects to (the Ansible inventory export), what the stack says it
    applied (`stack outputs`) and what vCenter's guest view reports after boot are one address."""
    applied = site.json("outputs", "dc-core")["addresses"]
    export = subprocess.run(
        [sys.executable, "-m", "provdc", "inventory", "export", "ansible"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert export.returncode == 0, export.stderr
    hostvars = json.loads(export.stdout)["_meta"]["hostvars"]
    with site.vcenter() as si:
        vms = objects(si, vim.VirtualMachine)
        booted = {name: read(si, vm, "guest.ipAddress")["guest.ipAddress"] for name, vm in vms.items()}
    for vm in inventory.workloads:
        host = hostvars[vm.name]["ansible_host"]
        host = host["__ansible_unsafe"] if isinstance(host, dict) else host  # hostile-string wrapper
        assert applied[vm.name] == host == booted[vm.name], vm.name
        assert booted[vm.name] == str(vm.nics[0].ip)


def test_vms_carry_their_security_level_tag(site: StackSite, inventory: Inventory) -> None:
    session = rest(site, "POST", "/session")
    with site.vcenter() as si:
        vms = objects(si, vim.VirtualMachine)
    for vm in inventory.workloads:
        ids = rest(
            site,
            "POST",
            "/tagging/tag-association?~action=list-attached-tags",
            {"object_id": {"type": "VirtualMachine", "id": vms[vm.name]._moId}},
            session,
        )
        names = [rest(site, "GET", f"/tagging/tag/id:{i}", session=session)["name"] for i in ids]
        assert names == [f"cap-do-{vm.security_level}"], vm.name


def test_outputs_as_json(site: StackSite, inventory: Inventory) -> None:
    out = site.json("outputs", "dc-core")
    assert set(out["vms"]) == {vm.name for vm in inventory.workloads}
    with site.vcenter() as si:
        vms = objects(si, vim.VirtualMachine)
        assert all(vms[name]._moId == moid for name, moid in out["vms"].items())


def test_second_preview_has_no_changes(site: StackSite) -> None:
    report = site.json("preview", "dc-core")
    assert {r["op"] for r in report["resources"]} == {"same"}


def test_cpu_change_in_inventory_updates_that_vm_only(
    site: StackSite, inventory_copy: Path, inventory: Inventory
) -> None:
    target = inventory.workloads[0]
    text = (inventory_copy / "workloads.yml").read_text(encoding="utf-8")
    edited = re.sub(
        rf"(- name: {target.name}\n(?:    .*\n)*?    cpu: ){target.cpu}\n",
        rf"\g<1>{target.cpu + 2}\n",
        text,
        count=1,
    )
    assert edited != text
    (inventory_copy / "workloads.yml").write_text(edited, encoding="utf-8")
    assert load_inventory(inventory_copy).workloads[0].cpu == target.cpu + 2
    plan = site.json("preview", "dc-core", inventory=inventory_copy)
    changed = {r["name"]: r["diffs"] for r in plan["resources"] if r["op"] != "same"}
    assert changed == {f"vm-{target.name}": ["cpu"]}
    with site.vcenter() as si:
        before = {n: v._moId for n, v in objects(si, vim.VirtualMachine).items()}
    done = site.cli("up", "dc-core", "--yes", inventory=inventory_copy)
    assert done.returncode == 0, done.stderr
    with site.vcenter() as si:
        vms = objects(si, vim.VirtualMachine)
        assert {n: v._moId for n, v in vms.items()} == before  # updated in place, not replaced
        assert vms[target.name].config.hardware.numCPU == target.cpu + 2
        for other in inventory.workloads[1:]:
            assert vms[other.name].config.hardware.numCPU == other.cpu
    # the next step replaces this VM anyway, from the shipped inventory's CPU count


def test_disk_moved_to_another_tier_replaces_the_vm(
    site: StackSite, inventory_copy: Path, inventory: Inventory
) -> None:
    target = inventory.workloads[0]
    assert target.disks[0].tier == "fast"
    text = (inventory_copy / "workloads.yml").read_text(encoding="utf-8")
    edited = re.sub(
        rf"(- name: {target.name}\n(?:    .*\n)*?    disks: \[\{{size_gb: \d+, tier: )fast",
        r"\g<1>capacity",
        text,
        count=1,
    )
    assert edited != text
    (inventory_copy / "workloads.yml").write_text(edited, encoding="utf-8")
    plan = site.json("preview", "dc-core", inventory=inventory_copy)
    changed = {r["name"]: r["op"] for r in plan["resources"] if r["op"] not in ("same",)}
    assert changed[f"vm-{target.name}"] == "replace"
    assert set(changed) <= {f"vm-{target.name}", f"tag-{target.name}", f"drs-{target.anti_affinity}"}
    with site.vcenter() as si:
        old_id = objects(si, vim.VirtualMachine)[target.name]._moId
    done = site.cli("up", "dc-core", "--yes", inventory=inventory_copy)
    assert done.returncode == 0, done.stderr
    capacity = next(ds.name for ds in inventory.vsphere.datastores if ds.tier == "capacity")
    with site.vcenter() as si:
        vms = objects(si, vim.VirtualMachine)
        assert vms[target.name]._moId != old_id
        assert disks(vms[target.name])[0].backing.datastore.name == capacity
        assert set(vms) == {vm.name for vm in inventory.workloads}
    done = site.cli("up", "dc-core", "--yes")  # back to the shipped inventory
    assert done.returncode == 0, done.stderr


def test_change_by_hand_shows_as_drift(site: StackSite, inventory: Inventory) -> None:
    victim = inventory.workloads[-1]
    with site.vcenter() as si:
        vm = objects(si, vim.VirtualMachine)[victim.name]
        task = vm.ReconfigVM_Task(vim.vm.ConfigSpec(memoryMB=victim.memory_gb * 1024 + 1024))  # type: ignore[no-untyped-call]
        while task.info.state not in ("success", "error"):
            time.sleep(0.05)
        assert task.info.state == "success"
    looked = site.json("preview", "dc-core", "--refresh")  # reads vCenter, writes no state
    seen = {r["name"]: r["op"] for r in looked["resources"] if r["op"] != "same"}
    assert seen == {f"vm-{victim.name}": "update"}
    refreshed = site.json("refresh", "dc-core")
    drifted = {r["name"]: r["diffs"] for r in refreshed["resources"] if r["op"] != "same"}
    assert drifted == {f"vm-{victim.name}": ["memory_mb"]}
    plan = site.json("preview", "dc-core")
    planned = {r["name"]: r["op"] for r in plan["resources"] if r["op"] != "same"}
    assert planned == {f"vm-{victim.name}": "update"}
    done = site.cli("up", "dc-core", "--yes")
    assert done.returncode == 0, done.stderr
    with site.vcenter() as si:
        restored = objects(si, vim.VirtualMachine)[victim.name]
        assert restored.config.hardware.memoryMB == victim.memory_gb * 1024


def test_vm_deleted_by_hand_is_noticed_and_made_again(site: StackSite, inventory: Inventory) -> None:
    paired = next(vm for vm in inventory.workloads if vm.anti_affinity)
    with site.vcenter() as si:
        vm = objects(si, vim.VirtualMachine)[paired.name]
        for task in (vm.PowerOffVM_Task, vm.Destroy_Task):
            running = task()
            while running.info.state not in ("success", "error"):
                time.sleep(0.05)
    refreshed = site.json("refresh", "dc-core")
    gone = {r["name"]: r["op"] for r in refreshed["resources"] if r["op"] != "same"}
    assert gone == {f"vm-{paired.name}": "delete"}
    plan = by_name(site.json("preview", "dc-core"))
    assert plan[f"vm-{paired.name}"]["op"] == "create"
    assert plan[f"drs-{paired.anti_affinity}"]["op"] == "update"  # the rule follows the new VM
    done = site.cli("up", "dc-core", "--yes")
    assert done.returncode == 0, done.stderr
    with site.vcenter() as si:
        vms = objects(si, vim.VirtualMachine)
        assert set(vms) == {vm.name for vm in inventory.workloads}
        rules = {
            r.name: {v.name for v in r.vm}
            for c in objects(si, vim.ClusterComputeResource).values()
            for r in c.configurationEx.rule
        }
        assert paired.name in rules[f"aa-{paired.anti_affinity}"]


def test_destroy_removes_everything(site: StackSite, inventory: Inventory) -> None:
    done = site.cli("destroy", "dc-core", "--yes")
    assert done.returncode == 0, done.stderr
    vs = inventory.vsphere
    with site.vcenter() as si:
        assert objects(si, vim.VirtualMachine) == {}
        assert set(objects(si, vim.Datastore)) == {TEMPLATE_STORE}  # the templates' own
        assert not {pg.name for pg in vs.port_groups} & set(objects(si, vim.dvs.DistributedVirtualPortgroup))
        assert not set(vs.folders) & set(objects(si, vim.Folder))
        assert all(not c.configurationEx.rule for c in objects(si, vim.ClusterComputeResource).values())
        # what the stack did not create is still there
        assert set(objects(si, vim.HostSystem)) == {h.name for h in vs.hosts}
        assert vs.switch in objects(si, vim.DistributedVirtualSwitch)
