"""VM folders under the datacenter: renamed in place, never destroyed while they hold anything."""

from typing import Any

from pulumi import Input, ResourceOptions
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from provdc.core.errors import ProvdcError
from provdc.stacks import vsphere
from provdc.stacks.provider_base import VsphereProvider
from provdc.stacks.vsphere import vim


class FolderProvider(VsphereProvider):
    fields = ("datacenter", "name")
    replace_on = ("datacenter",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        with self.session() as si:
            dc = vsphere.datacenter(si, props["datacenter"])
            existing = vsphere.find(si, vim.Folder, props["name"], dc.vmFolder)
            folder = existing or dc.vmFolder.CreateFolder(props["name"])
            return CreateResult(folder._moId, self.desired(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.session() as si:
            folder = vsphere.by_moid(si, vim.Folder, id_)
            if folder is None:
                return ReadResult(None, {})
            return ReadResult(id_, {**self.desired(props), "name": folder.name})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self.session() as si:
            folder = vsphere.by_moid(si, vim.Folder, id_)
            if folder is None:
                raise ProvdcError(f"folder {olds['name']} ({id_}) is gone; run provdc stack refresh")
            if folder.name != news["name"]:
                vsphere.wait(folder.Rename_Task(news["name"]))
            return UpdateResult(self.desired(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with self.session() as si:
            folder = vsphere.by_moid(si, vim.Folder, id_)
            if folder is None:
                return
            if folder.childEntity:
                names = ", ".join(sorted(c.name for c in folder.childEntity)[:5])
                raise ProvdcError(f"folder {folder.name} still holds objects provdc does not manage: {names}")
            vsphere.wait(folder.Destroy_Task())


class Folder(Resource, module="vsphere", name="Folder"):
    def __init__(self, name: str, props: dict[str, Input[Any]], opts: ResourceOptions | None = None):
        super().__init__(FolderProvider(), name, props, opts)
