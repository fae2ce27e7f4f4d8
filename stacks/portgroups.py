"""Distributed port groups with the inventory's VLAN ids: name and VLAN change in place."""

from typing import Any

from pulumi import Input, ResourceOptions
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from provdc.core.errors import ProvdcError
from provdc.stacks import vsphere
from provdc.stacks.provider_base import VsphereProvider
from provdc.stacks.vsphere import vim


def _port_config(vlan: int) -> vim.dvs.VmwareDistributedVirtualSwitch.VmwarePortConfigPolicy:
    return vim.dvs.VmwareDistributedVirtualSwitch.VmwarePortConfigPolicy(
        vlan=vim.dvs.VmwareDistributedVirtualSwitch.VlanIdSpec(vlanId=vlan, inherited=False)
    )


def vlan_of(pg: vim.dvs.DistributedVirtualPortgroup) -> int:
    return int(pg.config.defaultPortConfig.vlan.vlanId)


class PortGroupProvider(VsphereProvider):
    fields = ("datacenter", "switch", "name", "vlan")
    replace_on = ("datacenter", "switch")

    def create(self, props: dict[str, Any]) -> CreateResult:
        with self.session() as si:
            dc = vsphere.datacenter(si, props["datacenter"])
            dvs = vsphere.switch(si, dc, props["switch"])
            pg = next((p for p in dvs.portgroup if p.name == props["name"]), None)
            if pg is None:
                spec = vim.dvs.DistributedVirtualPortgroup.ConfigSpec(
                    name=props["name"],
                    type="earlyBinding",
                    numPorts=32,
                    defaultPortConfig=_port_config(int(props["vlan"])),
                )
                vsphere.wait(dvs.AddDVPortgroup_Task([spec]))
                pg = next(p for p in dvs.portgroup if p.name == props["name"])
            elif vlan_of(pg) != int(props["vlan"]):
                self._reconfigure(pg, props)
            return CreateResult(pg._moId, self.desired(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.session() as si:
            pg = vsphere.by_moid(si, vim.dvs.DistributedVirtualPortgroup, id_)
            if pg is None:
                return ReadResult(None, {})
            live = {"name": pg.name, "vlan": vlan_of(pg), "switch": pg.config.distributedVirtualSwitch.name}
            return ReadResult(id_, {**self.desired(props), **live})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self.session() as si:
            pg = vsphere.by_moid(si, vim.dvs.DistributedVirtualPortgroup, id_)
            if pg is None:
                raise ProvdcError(f"port group {olds['name']} ({id_}) is gone; run provdc stack refresh")
            self._reconfigure(pg, news)
            return UpdateResult(self.desired(news))

    @staticmethod
    def _reconfigure(pg: vim.dvs.DistributedVirtualPortgroup, props: dict[str, Any]) -> None:
        """ReconfigureDVPortgroup overwrites every field: send the full spec."""
        spec = vim.dvs.DistributedVirtualPortgroup.ConfigSpec(
            configVersion=pg.config.configVersion,
            name=props["name"],
            type=pg.config.type,
            numPorts=pg.config.numPorts,
            defaultPortConfig=_port_config(int(props["vlan"])),
        )
        vsphere.wait(pg.ReconfigureDVPortgroup_Task(spec))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with self.session() as si:
            pg = vsphere.by_moid(si, vim.dvs.DistributedVirtualPortgroup, id_)
            if pg is None:
                return
            if pg.vm:
                raise ProvdcError(f"port group {pg.name} still has VMs provdc does not manage")
            vsphere.wait(pg.Destroy_Task())


class PortGroup(Resource, module="vsphere", name="PortGroup"):
    def __init__(self, name: str, props: dict[str, Input[Any]], opts: ResourceOptions | None = None):
        super().__init__(PortGroupProvider(), name, props, opts)
