"""Workload VMs cloned from their OS's template, customised (hostname, addresses, gateway,
DNS) and powered on by the clone itself; then CPU, memory, disks on their tier's datastore and
NICs on port groups converged as for any update.

In place: name, CPU, memory (hot-add on; a decrease powers the VM off and on again), growing a
disk, adding disks or NICs, moving a NIC to another port group, folder, resource pool,
cloud-init metadata (guestinfo.metadata). Replace (the old VM deleted first): cluster, guest OS,
template, guest customisation (hostname, addresses, DNS: applied by vCenter on a clone's first
boot only), a disk that shrinks, changes datastore or provisioning, or is removed.
"""

from typing import Any

from pulumi import Input, ResourceOptions
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, UpdateResult

from provdc.core.errors import ProvdcError
from provdc.stacks import vsphere
from provdc.stacks.provider_base import VsphereProvider
from provdc.stacks.vsphere import vim, vmodl

Spec = vim.vm.device.VirtualDeviceSpec
SCSI_KEY = 1000
GIB_KB = 1024 * 1024


def _disks(config: vim.vm.ConfigInfo) -> list[vim.vm.device.VirtualDisk]:
    devs = [d for d in config.hardware.device if isinstance(d, vim.vm.device.VirtualDisk)]
    return sorted(devs, key=lambda d: (d.controllerKey, d.unitNumber))


def _nics(config: vim.vm.ConfigInfo) -> list[vim.vm.device.VirtualEthernetCard]:
    devs = [d for d in config.hardware.device if isinstance(d, vim.vm.device.VirtualEthernetCard)]
    return sorted(devs, key=lambda d: d.key)


def powered_on(si: vim.ServiceInstance, vm: vim.VirtualMachine) -> bool:
    """runtime.powerState read alone: vcsim v0.56 leaves runtime.faultToleranceState empty,
    which pyvmomi cannot parse, so `vm.runtime` as a whole is not readable there."""
    query = vmodl.query.PropertyCollector
    spec = query.FilterSpec(
        objectSet=[query.ObjectSpec(obj=vm)],
        propSet=[query.PropertySpec(type=vim.VirtualMachine, pathSet=["runtime.powerState"])],
    )
    found = si.content.propertyCollector.RetrieveContents([spec])
    return bool(found) and str(found[0].propSet[0].val) == vim.VirtualMachinePowerState.poweredOn


def _unit(index: int) -> int:
    return index if index < 7 else index + 1  # unit 7 is the SCSI controller's own


def _controller_key(config: vim.vm.ConfigInfo) -> int:
    """The key of the VM's SCSI controller (a clone's is its template's), or the one create adds."""
    devices = config.hardware.device
    found = [d.key for d in devices if isinstance(d, vim.vm.device.VirtualSCSIController)]
    return min(found) if found else SCSI_KEY


def _disk_spec(
    si: vim.ServiceInstance,
    dc: vim.Datacenter,
    index: int,
    disk: dict[str, Any],
    controller: int = SCSI_KEY,
) -> Any:
    if vsphere.find(si, vim.Datastore, disk["datastore"], dc.datastoreFolder) is None:
        raise ProvdcError(f"datastore {disk['datastore']} not found in {dc.name}")
    backing = vim.vm.device.VirtualDisk.FlatVer2BackingInfo(
        fileName=f"[{disk['datastore']}]",
        diskMode="persistent",
        thinProvisioned=bool(disk["thin"]),
        eagerlyScrub=False,
    )
    device = vim.vm.device.VirtualDisk(
        key=-(100 + index),
        controllerKey=controller,
        unitNumber=_unit(index),
        capacityInKB=int(disk["size_gb"]) * GIB_KB,
        backing=backing,
    )
    return Spec(operation="add", fileOperation="create", device=device)


def _port_backing(
    dc: vim.Datacenter, si: vim.ServiceInstance, name: str
) -> vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo:
    pg = vsphere.find(si, vim.dvs.DistributedVirtualPortgroup, name, dc.networkFolder)
    if pg is None:
        raise ProvdcError(f"port group {name} not found in {dc.name}")
    port = vim.dvs.PortConnection(portgroupKey=pg.key, switchUuid=pg.config.distributedVirtualSwitch.uuid)
    return vim.vm.device.VirtualEthernetCard.DistributedVirtualPortBackingInfo(port=port)


def _nic_spec(si: vim.ServiceInstance, dc: vim.Datacenter, index: int, nic: dict[str, Any]) -> Any:
    device = vim.vm.device.VirtualVmxnet3(
        key=-(200 + index),
        backing=_port_backing(dc, si, nic["port_group"]),
        connectable=vim.vm.device.VirtualDevice.ConnectInfo(startConnected=True, allowGuestControl=True),
    )
    return Spec(operation="add", device=device)


def _metadata(props: dict[str, Any]) -> list[vim.option.OptionValue]:
    return [
        vim.option.OptionValue(key="guestinfo.metadata", value=props["metadata"]),
        vim.option.OptionValue(key="guestinfo.metadata.encoding", value="base64"),
    ]


def _customization(want: dict[str, Any]) -> vim.vm.customization.Specification:
    """Linux guest customisation: fixed hostname and domain, a fixed address per NIC, the
    gateway on the NICs that have one, the province's DNS servers."""
    c = want["customization"]
    nics = [
        vim.vm.customization.AdapterMapping(
            adapter=vim.vm.customization.IPSettings(
                ip=vim.vm.customization.FixedIp(ipAddress=n["ip"]),
                subnetMask=n["netmask"],
                gateway=[n["gateway"]] if n["gateway"] else [],
                dnsServerList=list(c["dns"]),
                dnsDomain=c["domain"],
            )
        )
        for n in c["nics"]
    ]
    return vim.vm.customization.Specification(
        identity=vim.vm.customization.LinuxPrep(
            hostName=vim.vm.customization.FixedName(name=c["hostname"]), domain=c["domain"]
        ),
        globalIPSettings=vim.vm.customization.GlobalIPSettings(
            dnsServerList=list(c["dns"]), dnsSuffixList=[c["domain"]]
        ),
        nicSettingMap=nics,
    )


def _placement(
    si: vim.ServiceInstance, props: dict[str, Any]
) -> tuple[vim.Datacenter, vim.Folder, vim.ResourcePool]:
    dc = vsphere.datacenter(si, props["datacenter"])
    folder = vsphere.find(si, vim.Folder, props["folder"], dc.vmFolder)
    if folder is None:
        raise ProvdcError(f"VM folder {props['folder']} not found in {dc.name}")
    root = vsphere.cluster(si, dc, props["cluster"]).resourcePool
    pool = vsphere.find(si, vim.ResourcePool, props["pool"], root) if props.get("pool") else root
    if pool is None:
        raise ProvdcError(f"resource pool {props['pool']} not found in cluster {props['cluster']}")
    return dc, folder, pool


def live_state(si: vim.ServiceInstance, vm: vim.VirtualMachine) -> dict[str, Any]:
    """The managed properties as vCenter has them now."""
    pgs = {
        p["key"]: p["name"]
        for _, p in vsphere.properties(si, vim.dvs.DistributedVirtualPortgroup, ["key", "name"])
    }
    config = vm.config  # each property read is a round trip: read the config once
    extra = {o.key: o.value for o in config.extraConfig}
    pool = vm.resourcePool
    return {
        "name": config.name,
        "cpu": int(config.hardware.numCPU),
        "memory_mb": int(config.hardware.memoryMB),
        "guest_id": config.guestId,
        "folder": vm.parent.name,
        "cluster": pool.owner.name,
        "pool": pool.name if pool != pool.owner.resourcePool else "",
        "disks": [
            {
                "size_gb": d.capacityInKB // GIB_KB,
                "datastore": d.backing.datastore.name,
                "thin": bool(d.backing.thinProvisioned),
            }
            for d in _disks(config)
        ],
        "nics": [
            {"port_group": pgs.get(getattr(n.backing.port, "portgroupKey", ""), "")} for n in _nics(config)
        ],
        "metadata": extra.get("guestinfo.metadata", ""),
        "annotation": config.annotation or "",
    }


class VmProvider(VsphereProvider):
    fields = (
        "datacenter",
        "cluster",
        "pool",
        "folder",
        "name",
        "cpu",
        "memory_mb",
        "guest_id",
        "disks",
        "nics",
        "metadata",
        "template",
        "customization",
        "annotation",
    )
    replace_on = ("datacenter", "cluster", "guest_id", "template", "customization")

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        old_disks, new_disks = olds.get("disks") or [], news.get("disks") or []
        if len(new_disks) < len(old_disks) or any(
            n["datastore"] != o["datastore"]
            or bool(n["thin"]) != bool(o["thin"])
            or int(n["size_gb"]) < int(o["size_gb"])
            for o, n in zip(old_disks, new_disks, strict=False)
        ):
            result.replaces = [*(result.replaces or []), "disks"]
        return result

    def create(self, props: dict[str, Any]) -> CreateResult:
        with self.session() as si:
            dc, folder, pool = _placement(si, props)
            vm = vsphere.find(si, vim.VirtualMachine, props["name"], folder, recursive=False)
            if vm is not None:  # left by an interrupted run: adopt and converge it
                self._converge(si, vm, live_state(si, vm), props)
                return CreateResult(vm._moId, self.desired(props))
            vm = self._clone(si, dc, folder, pool, props)
            self._converge(si, vm, live_state(si, vm), props)
            return CreateResult(vm._moId, self.desired(props))

    def _clone(
        self,
        si: vim.ServiceInstance,
        dc: vim.Datacenter,
        folder: vim.Folder,
        pool: vim.ResourcePool,
        props: dict[str, Any],
    ) -> vim.VirtualMachine:
        """CloneVM_Task from the template onto the first disk's datastore, with the NICs, CPU,
        memory, metadata and the guest customisation in the one spec; powered on by the clone,
        whose first boot applies the customisation. The rest converges afterwards."""
        template = vsphere.find(si, vim.VirtualMachine, props["template"], dc.vmFolder)
        model = template.config if template is not None else None
        if model is None or not model.template:
            raise ProvdcError(f"template {props['template']} not found in {dc.name}")
        store = vsphere.find(si, vim.Datastore, props["disks"][0]["datastore"], dc.datastoreFolder)
        if store is None:
            raise ProvdcError(f"datastore {props['disks'][0]['datastore']} not found in {dc.name}")
        first = props["disks"][0]
        locators = [  # the first disk's provisioning (vcsim ignores it; converge then edits)
            vim.vm.RelocateSpec.DiskLocator(
                diskId=d.key,
                datastore=store,
                diskBackingInfo=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(
                    diskMode="persistent", thinProvisioned=bool(first["thin"]), eagerlyScrub=False
                ),
            )
            for d in _disks(model)[:1]
        ]
        old_nics = [Spec(operation="remove", device=n) for n in _nics(model)]
        config = vim.vm.ConfigSpec(
            numCPUs=int(props["cpu"]),
            memoryMB=int(props["memory_mb"]),
            annotation=props["annotation"],
            cpuHotAddEnabled=True,
            memoryHotAddEnabled=True,
            deviceChange=old_nics + [_nic_spec(si, dc, i, n) for i, n in enumerate(props["nics"])],
            extraConfig=_metadata(props),
        )
        spec = vim.vm.CloneSpec(
            location=vim.vm.RelocateSpec(pool=pool, datastore=store, disk=locators),
            config=config,
            customization=_customization(props),
            powerOn=True,
            template=False,
        )
        return vsphere.wait(template.CloneVM_Task(folder=folder, name=props["name"], spec=spec))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.session() as si:
            vm = vsphere.by_moid(si, vim.VirtualMachine, id_)
            if vm is None:
                return ReadResult(None, {})
            return ReadResult(id_, {**self.desired(props), **live_state(si, vm)})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self.session() as si:
            vm = vsphere.by_moid(si, vim.VirtualMachine, id_)
            if vm is None:
                raise ProvdcError(f"VM {olds['name']} ({id_}) is gone; run provdc stack refresh")
            self._converge(si, vm, live_state(si, vm), news)
            return UpdateResult(self.desired(news))

    def _converge(
        self, si: vim.ServiceInstance, vm: vim.VirtualMachine, live: dict[str, Any], want: dict[str, Any]
    ) -> None:
        """Change in place what differs between vCenter and `want`; touch nothing else."""
        dc, folder, pool = _placement(si, want)
        if live["name"] != want["name"]:
            vsphere.wait(vm.Rename_Task(want["name"]))
        if vm.parent != folder:
            vsphere.wait(folder.MoveIntoFolder_Task([vm]))
        if vm.resourcePool != pool:
            pool.MoveIntoResourcePool([vm])
        changes: list[Any] = []
        config = vm.config
        disks = _disks(config)
        for i, disk in enumerate(want["disks"]):
            if i >= len(disks):
                changes.append(_disk_spec(si, dc, i, disk, _controller_key(config)))
            else:
                grow = disks[i].capacityInKB < int(disk["size_gb"]) * GIB_KB
                retype = bool(disks[i].backing.thinProvisioned) != bool(disk["thin"])  # a fresh clone's
                if grow or retype:
                    disks[i].capacityInKB = max(disks[i].capacityInKB, int(disk["size_gb"]) * GIB_KB)
                    disks[i].backing.thinProvisioned = bool(disk["thin"])
                    changes.append(Spec(operation="edit", device=disks[i]))
        nics = _nics(config)
        for i, nic in enumerate(want["nics"]):
            if i >= len(nics):
                changes.append(_nic_spec(si, dc, i, nic))
            elif live["nics"][i]["port_group"] != nic["port_group"]:
                nics[i].backing = _port_backing(dc, si, nic["port_group"])
                changes.append(Spec(operation="edit", device=nics[i]))
        changes += [Spec(operation="remove", device=n) for n in nics[len(want["nics"]) :]]
        spec = vim.vm.ConfigSpec(deviceChange=changes)
        if live["cpu"] != int(want["cpu"]):
            spec.numCPUs = int(want["cpu"])
        if live["memory_mb"] != int(want["memory_mb"]):
            spec.memoryMB = int(want["memory_mb"])
        if live["metadata"] != want["metadata"]:
            spec.extraConfig = _metadata(want)
        if live["annotation"] != want["annotation"]:
            spec.annotation = want["annotation"]
        if not (changes or spec.numCPUs or spec.memoryMB or spec.extraConfig or spec.annotation is not None):
            return
        shrink = live["cpu"] > int(want["cpu"]) or live["memory_mb"] > int(want["memory_mb"])
        powered = powered_on(si, vm)
        if shrink and powered:
            vsphere.wait(vm.PowerOffVM_Task())
        vsphere.wait(vm.ReconfigVM_Task(spec))
        if shrink and powered:
            vsphere.wait(vm.PowerOnVM_Task())

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with self.session() as si:
            vm = vsphere.by_moid(si, vim.VirtualMachine, id_)
            if vm is None:
                return
            if powered_on(si, vm):
                vsphere.wait(vm.PowerOffVM_Task())
            vsphere.wait(vm.Destroy_Task())


class VirtualMachine(Resource, module="vsphere", name="VirtualMachine"):
    def __init__(self, name: str, props: dict[str, Input[Any]], opts: ResourceOptions | None = None):
        super().__init__(VmProvider(), name, props, opts)
