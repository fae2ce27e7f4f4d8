"""Phase 3 of loading: the validated sections become the model, with addresses derived."""

from dataclasses import dataclass, field

from provdc.inventory import ipam
from provdc.inventory.model import (
    VM,
    Cluster,
    Datastore,
    Device,
    Disk,
    Endpoint,
    EsxiHost,
    Inventory,
    Lan,
    Levels,
    Located,
    Nic,
    PortGroup,
    ProviderEdge,
    Province,
    Router,
    Services,
    Site,
    SiteKind,
    SnmpSettings,
    Vsphere,
    WanLink,
)
from provdc.inventory.naming import router_hostname, site_id
from provdc.inventory.schema import AgencyIn, CommuneIn, DatacenterIn, DistrictIn, SiteIn, VsphereIn
from provdc.inventory.sections import Entry, Sections
from provdc.inventory.source import Problem

REQUIRED = ("province", "carrier", "ipam", "site_defaults", "platforms", "services", "thresholds", "vsphere")


@dataclass
class Builder:
    sec: Sections
    root: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, src: Located, code: str, message: str) -> None:
        self.problems.append(Problem(src.file, src.line, code, message))

    # -- sites -------------------------------------------------------------------------------

    def _site(self, kind: SiteKind, entry: Entry[SiteIn]) -> Site | None:
        item, src = entry.value, entry.src
        plan = self.sec.get("ipam")
        defaults = self.sec.get("site_defaults").get(kind)

        def pick(name: str) -> object:
            value = getattr(item, name)
            if value is None and defaults is not None:
                value = getattr(defaults, name)
            if value is None:
                self.problem(
                    src,
                    "missing-key",
                    f"{kind} {item.code}: '{name}' is not set and site_defaults.{kind} does not give it",
                )
            return value

        platform, model, bandwidth = pick("platform"), pick("model"), pick("bandwidth_mbps")
        vc, pe = pick("vc_endpoints"), pick("pe")
        routing = item.routing or (defaults.routing if defaults else "bgp")
        if None in (platform, model, bandwidth, vc, pe):
            return None
        interfaces = self.sec.get("platforms").get(platform)
        if interfaces is None:
            self.problem(
                src, "reference", f"{kind} {item.code}: platform '{platform}' has no entry under 'platforms'"
            )
            return None
        number = item.number if isinstance(item, AgencyIn) else None
        parent = f"dist-{item.district}" if isinstance(item, CommuneIn) else None
        try:
            slot = ipam.slot(kind, item.code, number)
            if isinstance(item, DatacenterIn):
                lans = tuple(Lan(x.role, x.vlan, x.network) for x in item.lans)
                for lan in lans:
                    if not lan.network.subnet_of(plan.datacenter_lans):
                        self.problem(
                            src,
                            "subnet",
                            f"{kind} LAN {lan.role} {lan.network} is outside "
                            f"ipam.datacenter_lans {plan.datacenter_lans}",
                        )
            else:
                camera = isinstance(item, DistrictIn) or (isinstance(item, CommuneIn) and item.camera)
                lans = tuple(
                    Lan(r, v, n) for r, v, n in ipam.site_lans(plan, kind, item.code, number, camera)
                )
            router = Router(
                router_hostname(kind, item.code, item.name),
                str(platform),
                str(model),
                ipam.loopback(plan, slot),
                ipam.asn(plan, slot),
            )
            wan = WanLink(
                item.circuit_id,
                self.sec.get("carrier").name,
                int(str(bandwidth)),
                str(pe),
                routing,
                ipam.wan_network(plan, slot),
                interfaces.wan_interface,
            )
        except ipam.PlanError as exc:
            self.problem(src, "ipam", f"{kind} {item.code}: {exc}")
            return None
        kind_type = getattr(item, "type", None) or getattr(item, "group", None) or kind
        return Site(
            site_id(kind, item.code),
            kind,
            item.code,
            item.name,
            kind_type,
            parent,
            slot,
            router,
            wan,
            lans,
            int(str(vc)),
            interfaces.lan_interface,
            src,
        )

    def sites(self) -> dict[str, Site]:
        sites: dict[str, Site] = {}
        groups: list[tuple[SiteKind | None, str]] = [
            (None, "datacenters"),
            ("agency", "agencies"),
            ("district", "districts"),
            ("commune", "communes"),
        ]
        for kind, section in groups:
            for entry in self.sec.lists[section]:
                site_kind: SiteKind = kind or entry.value.id
                site = self._site(site_kind, entry)
                if site is None:
                    continue
                if site.id in sites:
                    self.problem(
                        entry.src,
                        "duplicate",
                        f"site {site.id} (code {site.code}) is already defined at {sites[site.id].src}",
                    )
                    continue
                sites[site.id] = site
        return sites

    # -- data center --------------------------------------------------------------------------

    def dc_devices(self, vs: VsphereIn) -> tuple[Device, ...]:
        devices = [
            Device(d.name, e.value.id, d.role, d.platform, d.model, d.mgmt_address, d.snmp_profile, e.src)
            for e in self.sec.lists["datacenters"]
            for d in e.value.devices
        ]
        devices += [
            Device(
                h.name,
                "dc",
                "esxi",
                "esxi",
                h.model,
                h.mgmt_address,
                "esxi",
                self.sec.where("vsphere", "clusters", ci, "hosts", hi),
            )
            for ci, c in enumerate(vs.clusters)
            for hi, h in enumerate(c.hosts)
        ]
        return tuple(devices)

    def vsphere(self, vs: VsphereIn, sites: dict[str, Site]) -> Vsphere:
        dc = sites.get("dc")
        port_groups = []
        for index, pg in enumerate(vs.port_groups):
            lan = dc.lan(pg.lan) if dc else None
            if lan is None:
                if dc is not None:  # without a DC, the DC's own problem is already reported
                    where = self.sec.where("vsphere", "port_groups", index)
                    message = f"vsphere port group {pg.name}: no DC LAN with role '{pg.lan}'"
                    self.problem(where, "reference", message)
                continue
            port_groups.append(PortGroup(pg.name, lan.vlan, lan.network, vs.switch))
        return Vsphere(
            vs.datacenter,
            vs.switch,
            vs.vcpu_per_core,
            tuple(Cluster(c.name, tuple(h.name for h in c.hosts), c.ha_failures) for c in vs.clusters),
            tuple(
                EsxiHost(h.name, c.name, h.cpu_cores, h.cpu_mhz, h.memory_gb, h.model, h.mgmt_address)
                for c in vs.clusters
                for h in c.hosts
            ),
            tuple(
                Datastore(d.name, d.kind, d.tier, d.capacity_gb, d.nfs_server, d.nfs_path, tuple(d.clusters))
                for d in vs.datastores
            ),
            tuple(port_groups),
            tuple(vs.folders),
        )

    def workloads(self) -> tuple[VM, ...]:
        return tuple(
            VM(
                w.name,
                w.name,
                w.group,
                w.service,
                w.cluster,
                w.folder,
                w.cpu,
                w.memory_gb,
                tuple(Disk(d.size_gb, d.tier, d.provisioning) for d in w.disks),
                tuple(Nic(n.port_group, n.ip) for n in w.nics),
                w.os,
                w.security_level,
                w.anti_affinity,
                e.src,
            )
            for e in self.sec.lists["workloads"]
            for w in [e.value]
        )

    def pools_disjoint(self) -> None:
        plan, where = self.sec.get("ipam"), self.sec.where("ipam")
        pools = [(name, net) for name, net in plan if name != "asn_base" and name != "site_vlans"]
        for i, (name, net) in enumerate(pools):
            for other, other_net in pools[:i]:
                if net.overlaps(other_net):
                    self.problem(where, "overlap", f"ipam.{name} {net} overlaps ipam.{other} {other_net}")

    def build(self) -> Inventory | None:
        missing = [name for name in REQUIRED if name not in self.sec.single]
        for name in missing:
            self.problems.append(
                Problem(self.root, 0, "missing-section", f"section '{name}' is not in any file")
            )
        if missing:
            return None
        prov, carrier, svc = self.sec.get("province"), self.sec.get("carrier"), self.sec.get("services")
        vs = self.sec.get("vsphere")
        self.pools_disjoint()
        sites = self.sites()
        return Inventory(
            province=Province(prov.code, prov.name, prov.timezone),
            sites=sites,
            provider_edges={
                pe.name: ProviderEdge(pe.name, carrier.asn, pe.loopback) for pe in carrier.provider_edges
            },
            dc_devices=self.dc_devices(vs),
            vsphere=self.vsphere(vs, sites),
            workloads=self.workloads(),
            services=Services(
                tuple(svc.ntp),
                tuple(svc.dns),
                Endpoint(svc.syslog.address, svc.syslog.port, svc.syslog.protocol),
                SnmpSettings(**svc.snmp.model_dump()),
                tuple(svc.management_networks),
                svc.video_conference.kbps_per_endpoint,
                svc.video_conference.max_link_share,
            ),
            thresholds={k: Levels(**v) for k, v in self.sec.get("thresholds").model_dump().items()},
            root=self.root,
        )


def build_inventory(sec: Sections, root: str) -> tuple[Inventory | None, list[Problem]]:
    builder = Builder(sec, root)
    inv = builder.build()
    return inv, builder.problems
