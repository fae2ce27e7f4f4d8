"""DRS anti-affinity rules that keep the two VMs of an HA pair on different hosts.

The rule's name and members change in place (an `edit` of the rule); the cluster replaces it.
The id is `<cluster moid>/<rule key>`.
"""

from typing import Any

from pulumi import Input, ResourceOptions
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from provdc.core.errors import ProvdcError
from provdc.stacks import vsphere
from provdc.stacks.provider_base import VsphereProvider
from provdc.stacks.vsphere import vim


def _rule(ccr: vim.ClusterComputeResource, key: int) -> vim.cluster.AntiAffinityRuleSpec | None:
    return next((r for r in ccr.configurationEx.rule if r.key == key), None)


def _apply(ccr: vim.ClusterComputeResource, op: str, info: Any = None, key: int | None = None) -> None:
    rule = vim.cluster.RuleSpec(operation=op, info=info, removeKey=key)
    vsphere.wait(ccr.ReconfigureComputeResource_Task(vim.cluster.ConfigSpecEx(rulesSpec=[rule]), modify=True))


class AntiAffinityProvider(VsphereProvider):
    fields = ("datacenter", "cluster", "name", "vms")
    replace_on = ("datacenter", "cluster")

    def _vms(self, si: vim.ServiceInstance, ids: list[str]) -> list[vim.VirtualMachine]:
        vms = [vsphere.by_moid(si, vim.VirtualMachine, i) for i in ids]
        if any(v is None for v in vms):
            raise ProvdcError(f"anti-affinity rule: a member VM is gone ({ids})")
        return vms

    def create(self, props: dict[str, Any]) -> CreateResult:
        with self.session() as si:
            ccr = vsphere.cluster(si, vsphere.datacenter(si, props["datacenter"]), props["cluster"])
            rule = next((r for r in ccr.configurationEx.rule if r.name == props["name"]), None)
            info = vim.cluster.AntiAffinityRuleSpec(
                name=props["name"], enabled=True, mandatory=False, vm=self._vms(si, props["vms"])
            )
            if rule is None:
                _apply(ccr, "add", info)
                rule = next(r for r in ccr.configurationEx.rule if r.name == props["name"])
            else:
                info.key = rule.key
                _apply(ccr, "edit", info)
            return CreateResult(f"{ccr._moId}/{rule.key}", self.desired(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.session() as si:
            cluster_id, key = id_.split("/")
            ccr = vsphere.by_moid(si, vim.ClusterComputeResource, cluster_id)
            rule = _rule(ccr, int(key)) if ccr is not None else None
            if rule is None:
                return ReadResult(None, {})
            live = {"name": rule.name, "vms": sorted(v._moId for v in rule.vm)}
            return ReadResult(id_, {**self.desired(props), **live})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self.session() as si:
            cluster_id, key = id_.split("/")
            ccr = vsphere.by_moid(si, vim.ClusterComputeResource, cluster_id)
            if ccr is None or _rule(ccr, int(key)) is None:
                raise ProvdcError(f"DRS rule {olds['name']} ({id_}) is gone; run provdc stack refresh")
            info = vim.cluster.AntiAffinityRuleSpec(
                key=int(key), name=news["name"], enabled=True, mandatory=False, vm=self._vms(si, news["vms"])
            )
            _apply(ccr, "edit", info)
            return UpdateResult(self.desired(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with self.session() as si:
            cluster_id, key = id_.split("/")
            ccr = vsphere.by_moid(si, vim.ClusterComputeResource, cluster_id)
            if ccr is not None and _rule(ccr, int(key)) is not None:
                _apply(ccr, "remove", key=int(key))


class AntiAffinityRule(Resource, module="vsphere", name="AntiAffinityRule"):
    def __init__(self, name: str, props: dict[str, Input[Any]], opts: ResourceOptions | None = None):
        super().__init__(AntiAffinityProvider(), name, props, opts)
