"""NFS datastores mounted on every host of the clusters that use them (CreateNasDatastore).

The server, export and name are fixed at creation (replace, the old one unmounted first); the
set of clusters changes in place: newly listed clusters' hosts mount it, dropped ones unmount.
"""

from typing import Any

from pulumi import Input, ResourceOptions
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from provdc.core.errors import ProvdcError
from provdc.stacks import vsphere
from provdc.stacks.provider_base import VsphereProvider
from provdc.stacks.vsphere import vim, vmodl


def _hosts(si: vim.ServiceInstance, props: dict[str, Any]) -> list[vim.HostSystem]:
    dc = vsphere.datacenter(si, props["datacenter"])
    return [h for name in props["clusters"] for h in vsphere.cluster(si, dc, name).host]


def _live(host: vim.HostSystem) -> list[vim.Datastore]:
    """The host's datastores; vcsim leaves references to destroyed ones behind: skipped."""
    alive = []
    for ds in host.datastore:
        try:
            ds.name  # noqa: B018
        except vmodl.fault.ManagedObjectNotFound:
            continue
        alive.append(ds)
    return alive


def _mount(host: vim.HostSystem, props: dict[str, Any]) -> vim.Datastore:
    mounted = next((d for d in _live(host) if d.name == props["name"]), None)
    if mounted is not None:
        return mounted
    spec = vim.host.NasVolume.Specification(
        remoteHost=props["remote_host"],
        remotePath=props["remote_path"],
        localPath=props["name"],
        accessMode="readWrite",
        type="NFS",
    )
    try:
        return host.configManager.datastoreSystem.CreateNasDatastore(spec)
    except KeyError:  # vcsim v0.56 mounts one already known but answers an empty reference
        found = next((d for d in _live(host) if d.name == props["name"]), None)
        if found is None:
            raise
        return found


def _unmount(host: vim.HostSystem, ds: vim.Datastore) -> None:
    try:
        host.configManager.datastoreSystem.RemoveDatastore(ds)
    except vmodl.fault.MethodNotFound:  # vcsim has no RemoveDatastore: destroying unmounts everywhere
        vsphere.wait(ds.Destroy_Task())


def mounted_on(ds: vim.Datastore, dc: vim.Datacenter) -> list[vim.HostSystem]:
    """The datacenter's hosts that mount the datastore (read from the hosts' side)."""
    return [
        h
        for c in dc.hostFolder.childEntity
        if isinstance(c, vim.ComputeResource)
        for h in c.host
        if any(d._moId == ds._moId for d in _live(h))
    ]


def clusters_of(ds: vim.Datastore, dc: vim.Datacenter) -> list[str]:
    """The clusters every host of which mounts the datastore."""
    mounted = {h._moId for h in mounted_on(ds, dc)}
    return sorted(
        c.name
        for c in dc.hostFolder.childEntity
        if isinstance(c, vim.ClusterComputeResource) and c.host and all(h._moId in mounted for h in c.host)
    )


class NasDatastoreProvider(VsphereProvider):
    fields = ("datacenter", "name", "remote_host", "remote_path", "clusters", "tier")
    replace_on = ("datacenter", "name", "remote_host", "remote_path")

    def create(self, props: dict[str, Any]) -> CreateResult:
        with self.session() as si:
            stores = [_mount(h, props) for h in _hosts(si, props)]
            if not stores:
                raise ProvdcError(f"datastore {props['name']}: clusters {props['clusters']} have no hosts")
            return CreateResult(stores[0]._moId, self.desired(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with self.session() as si:
            ds = vsphere.by_moid(si, vim.Datastore, id_)
            if ds is None:
                return ReadResult(None, {})
            dc = vsphere.datacenter(si, props["datacenter"])
            nas = ds.info.nas
            live = {
                "name": ds.name,
                "remote_host": nas.remoteHost,
                "remote_path": nas.remotePath,
                "clusters": clusters_of(ds, dc),
            }
            return ReadResult(id_, {**self.desired(props), **live})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with self.session() as si:
            ds = vsphere.by_moid(si, vim.Datastore, id_)
            if ds is None:
                raise ProvdcError(f"datastore {olds['name']} ({id_}) is gone; run provdc stack refresh")
            for host in _hosts(si, news):
                _mount(host, news)
            keep = {h._moId for h in _hosts(si, news)}
            dc = vsphere.datacenter(si, news["datacenter"])
            for host in mounted_on(ds, dc):
                if host._moId not in keep:
                    _unmount(host, ds)
            return UpdateResult(self.desired(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with self.session() as si:
            ds = vsphere.by_moid(si, vim.Datastore, id_)
            if ds is None:
                return
            if ds.vm:
                raise ProvdcError(f"datastore {ds.name} still holds VMs provdc does not manage")
            for host in mounted_on(ds, vsphere.datacenter(si, props["datacenter"])):
                if vsphere.by_moid(si, vim.Datastore, id_) is None:
                    break
                _unmount(host, ds)


class NasDatastore(Resource, module="vsphere", name="NasDatastore"):
    def __init__(self, name: str, props: dict[str, Input[Any]], opts: ResourceOptions | None = None):
        super().__init__(NasDatastoreProvider(), name, props, opts)
