"""Resource pools under a cluster's root pool: name and CPU/memory shares change in place."""

from typing import Any

from pulumi import Input, ResourceOptions
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from provdc.core.errors import ProvdcError
from provdc.stacks import vsphere
from provdc.stacks.provider_base import VsphereProvider
from provdc.stacks.vsphere import vim


def _spec(shares: str) -> vim.ResourceConfigSpec:
    def alloc() -> vim.ResourceAllocationInfo:
        return vim.ResourceAllocationInfo(
            reservation=0,
            limit=-1,
            expandableReservation=True,
            shares=vim.SharesInfo(level=shares, shares=0),
        )

    return vim.ResourceConfigSpec(cpuAllocation=alloc(), memoryAllocation=alloc())


class ResourcePoolProvider(VsphereProvider):
    fields = ("datacenter", "cluster", "name", "shares")
    replace_on = ("datacenter", "cluster")

    def create(self, props: dict[str, Any]) -> CreateResult:
        with self.session() as si:
            dc = vsphere.datacenter(si, props["datacenter"])
            root = vsphere.cluster(si, dc, props["cluster"]).resourcePool
            pool = vsphere.find(si, vim.ResourcePool, props["name"], root)
            if pool is None:
                pool = root.CreateResourcePool(props["name"], _spec(props["shares"]))
            return CreateResult(pool._moId, self.desired(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.session() as si:
            pool = vsphere.by_moid(si, vim.ResourcePool, id_)
            if pool is None:
                return ReadResult(None, {})
            shares = pool.config.cpuAllocation.shares.level
            return ReadResult(id_, {**self.desired(props), "name": pool.name, "shares": str(shares)})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self.session() as si:
            pool = vsphere.by_moid(si, vim.ResourcePool, id_)
            if pool is None:
                raise ProvdcError(f"resource pool {olds['name']} ({id_}) is gone; run provdc stack refresh")
            pool.UpdateConfig(name=news["name"], config=_spec(news["shares"]))
            return UpdateResult(self.desired(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with self.session() as si:
            pool = vsphere.by_moid(si, vim.ResourcePool, id_)
            if pool is None:
                return
            if pool.vm or pool.resourcePool:
                raise ProvdcError(f"resource pool {pool.name} holds VMs or pools provdc does not manage")
            vsphere.wait(pool.Destroy_Task())


class ResourcePool(Resource, module="vsphere", name="ResourcePool"):
    def __init__(self, name: str, props: dict[str, Input[Any]], opts: ResourceOptions | None = None):
        super().__init__(ResourcePoolProvider(), name, props, opts)
