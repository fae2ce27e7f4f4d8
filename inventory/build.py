"""Phase 3 of loading: the validated sections become the model, with addresses derived.

A router's interface names come from the platform table (platforms.py) by its model, so a model
the table does not know is an error at its site, not a config with made-up port names.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TypeVar

from provdc.inventory import admin_build, ipam
from provdc.inventory.ipam import WanSiteKind
from provdc.inventory.model import (
    VM,
    AaaSettings,
    AdminUnit,
    Cluster,
    Datastore,
    Device,
    Disk,
    Endpoint,
    EsxiHost,
    Inventory,
    IpamPlan,
    Lan,
    Levels,
    Located,
    Membership,
    Nic,
    PortGroup,
    ProviderEdge,
    Province,
    Router,
    Routing,
    Services,
    Site,
    SiteKind,
    SnmpSettings,
    Vsphere,
    WanLink,
)
from provdc.inventory.naming import router_hostname, site_id
from provdc.inventory.platforms import PLATFORMS, Platform
from provdc.inventory.schema import (
    AddressPlanIn,
    AdminUnitIn,
    AgencyIn,
    CommuneIn,
    DatacenterIn,
    DistrictIn,
    IpamIn,
    ProvinceIn,
    SiteIn,
    VsphereIn,
    WorkloadIn,
)
from provdc.inventory.sections import Entry, Sections
from provdc.inventory.source import Problem

REQUIRED = ("province", "carrier", "ipam", "site_defaults", "services", "thresholds", "vsphere")
V = TypeVar("V")


def _pick(own: V | None, default: V | None) -> V | None:
    """The site's own value, else its kind's default (None when neither says)."""
    return own if own is not None else default


def _site_type(item: SiteIn, kind: SiteKind, admin: tuple[Membership, ...] = ()) -> str:
    """What the site is within its kind: a commune's or district's type, an agency's group.

    A two-tier commune site without its own `type` takes the type of the unit it belongs to now.
    """
    if isinstance(item, CommuneIn | DistrictIn):
        if item.type is not None:
            return item.type
        current = [m for m in admin if m.valid_to is None] or list(admin)
        return current[-1].unit.type if current else kind
    if isinstance(item, AgencyIn):
        return item.group
    return kind


def ipam_plan(plan: IpamIn) -> IpamPlan:
    return IpamPlan(
        plan.datacenter_lans,
        plan.loopbacks,
        plan.wan,
        plan.agency_lans,
        plan.district_lans,
        plan.commune_lans,
        plan.asn_base,
        MappingProxyType(dict(plan.site_vlans)),
        plan.district_code_base,
        plan.commune_code_base,
    )


@dataclass
class Builder:
    sec: Sections
    root: str
    problems: list[Problem] = field(default_factory=list)
    units: admin_build.UnitIndex = field(default_factory=lambda: admin_build.UnitIndex([]))

    def problem(self, src: Located, code: str, message: str) -> None:
        self.problems.append(Problem(src.file, src.line, code, message))

    # -- sites -------------------------------------------------------------------------------

    def _site(self, kind: SiteKind, entry: Entry[SiteIn], plan: IpamPlan) -> Site | None:
        item, src = entry.value, entry.src
        defaults = self.sec.site_defaults().get(kind)

        platform: Platform | None = _pick(item.platform, defaults.platform if defaults else None)
        model: str | None = _pick(item.model, defaults.model if defaults else None)
        bandwidth: int | None = _pick(item.bandwidth_mbps, defaults.bandwidth_mbps if defaults else None)
        vc: int | None = _pick(item.vc_endpoints, defaults.vc_endpoints if defaults else None)
        pe: str | None = _pick(item.pe, defaults.pe if defaults else None)
        routing: Routing = _pick(item.routing, defaults.routing if defaults else None) or "bgp"
        given = {
            "platform": platform,
            "model": model,
            "bandwidth_mbps": bandwidth,
            "vc_endpoints": vc,
            "pe": pe,
        }
        for name in [n for n, v in given.items() if v is None]:
            self.problem(
                src,
                "missing-key",
                f"{kind} {item.code}: '{name}' is not set and site_defaults.{kind} does not give it",
            )
        if platform is None or model is None or bandwidth is None or vc is None or pe is None:
            return None
        spec = PLATFORMS[platform]
        ports = spec.models.get(model)
        if ports is None:
            known = ", ".join(sorted(spec.models))
            self.problem(
                src, "reference", f"{kind} {item.code}: no {platform} model '{model}' (known: {known})"
            )
            return None
        number = item.number if isinstance(item, AgencyIn) else None
        parent = f"dist-{item.hub_code}" if isinstance(item, CommuneIn) else None
        admin = self._admin(kind, item, src)
        try:
            slot = ipam.slot(kind, item.code, number, plan)
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
                wan_kind: WanSiteKind = (
                    "agency" if kind == "agency" else "district" if kind == "district" else "commune"
                )
                camera = isinstance(item, DistrictIn) or (isinstance(item, CommuneIn) and item.camera)
                lans = tuple(
                    Lan(r, v, n) for r, v, n in ipam.site_lans(plan, wan_kind, item.code, number, camera)
                )
            router = Router(
                router_hostname(kind, item.code, item.name),
                platform,
                model,
                ipam.loopback(plan, slot),
                ipam.asn(plan, slot),
            )
            wan = WanLink(
                item.circuit_id,
                self.sec.carrier().name,
                bandwidth,
                pe,
                routing,
                ipam.wan_network(plan, slot),
                ports.wan,
            )
        except ipam.PlanError as exc:
            self.problem(src, "ipam", f"{kind} {item.code}: {exc}")
            return None
        return Site(
            site_id(kind, item.code),
            kind,
            item.code,
            item.name,
            _site_type(item, kind, admin),
            parent,
            slot,
            router,
            wan,
            lans,
            vc,
            ports.lan,
            src,
            admin,
        )

    def _admin(self, kind: SiteKind, item: SiteIn, src: Located) -> tuple[Membership, ...]:
        """The site's memberships: its `admin` list, or (legacy) the seat of its own unit."""
        if not isinstance(item, CommuneIn | DistrictIn):
            return ()
        site = site_id(kind, item.code)
        if item.admin:
            return admin_build.memberships(site, item.admin, self.units, src, self.problem)
        if item.type == "hub":
            return ()
        level = "commune" if isinstance(item, CommuneIn) else "district"
        own = [u for u in self.units.find(item.code, None, None) if u.level == level and u.valid_to is None]
        return (Membership(own[0]),) if len(own) == 1 else ()

    def _site_entries(self) -> Iterator[tuple[SiteKind, Entry[SiteIn]]]:
        """Every site entry with its kind, in the order sites are listed: DC and DR first."""
        for dc in self.sec.items("datacenters", DatacenterIn):
            yield dc.value.id, Entry[SiteIn](dc.value, dc.src)
        for agency in self.sec.items("agencies", AgencyIn):
            yield "agency", Entry[SiteIn](agency.value, agency.src)
        for district in self.sec.items("districts", DistrictIn):
            yield "district", Entry[SiteIn](district.value, district.src)
        for commune in self.sec.items("communes", CommuneIn):
            yield "commune", Entry[SiteIn](commune.value, commune.src)

    def sites(self, plan: IpamPlan, others: dict[str, IpamPlan]) -> dict[str, Site]:
        sites: dict[str, Site] = {}
        for kind, entry in self._site_entries():
            name = entry.value.plan
            if name is not None and name not in others:
                known = ", ".join(sorted(others)) or "none"
                message = f"{kind} {entry.value.code}: no address plan {name} (known: {known})"
                self.problem(entry.src, "reference", message)
                continue
            site = self._site(kind, entry, others[name] if name is not None else plan)
            if site is not None and name is not None:
                site = replace(site, plan=name)
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
            for e in self.sec.items("datacenters", DatacenterIn)
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
            MappingProxyType(dict(vs.templates)),
        )

    def workloads(self) -> tuple[VM, ...]:
        return tuple(
            VM(
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
            for e in self.sec.items("workloads", WorkloadIn)
            for w in [e.value]
        )

    def pools_disjoint(self, plan: IpamPlan, others: dict[str, IpamPlan]) -> None:
        where = self.sec.where("ipam")
        pools = [(f"ipam.{n}", net) for n, net in plan.pools()]
        for plan_name, other in others.items():
            pools += [(f"address_plans[{plan_name}].{n}", net) for n, net in other.pools()]
        for i, (name, net) in enumerate(pools):
            for other_name, other_net in pools[:i]:
                if net.overlaps(other_net):
                    self.problem(where, "overlap", f"{name} {net} overlaps {other_name} {other_net}")

    def address_plans(self) -> dict[str, IpamPlan]:
        plans: dict[str, IpamPlan] = {}
        for e in self.sec.items("address_plans", AddressPlanIn):
            if e.value.name in plans:
                self.problem(e.src, "duplicate", f"address plan {e.value.name} is given twice")
                continue
            plans[e.value.name] = ipam_plan(e.value)
        return plans

    def build(self) -> Inventory | None:
        missing = [name for name in REQUIRED if name not in self.sec.single]
        for name in missing:
            self.problems.append(
                Problem(self.root, 0, "missing-section", f"section '{name}' is not in any file")
            )
        if missing:
            return None
        prov, carrier, svc = self.sec.province(), self.sec.carrier(), self.sec.services()
        vs = self.sec.vsphere()
        plan = ipam_plan(self.sec.ipam())
        others = self.address_plans()
        self.pools_disjoint(plan, others)
        self.units = admin_build.UnitIndex(self.admin_units(prov))
        sites = self.sites(plan, others)
        admin_build.one_seat_each(((s.id, s.admin, s.src) for s in sites.values()), self.problem)
        return Inventory(
            province=Province(
                prov.code,
                prov.name,
                prov.timezone,
                prov.type,
                prov.domain or "",
                prov.portal_host or "",
                prov.noc_contact or "",
            ),
            ipam=plan,
            sites=MappingProxyType(sites),
            provider_edges=MappingProxyType(
                {pe.name: ProviderEdge(pe.name, carrier.asn, pe.loopback) for pe in carrier.provider_edges}
            ),
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
                AaaSettings(
                    tuple(svc.aaa.tacacs_servers),
                    svc.aaa.tacacs_key_ref,
                    svc.aaa.break_glass_user,
                    svc.aaa.break_glass_secret_ref,
                ),
                tuple(svc.banner),
            ),
            thresholds=MappingProxyType(
                {k: Levels(**v) for k, v in self.sec.thresholds().model_dump().items()}
            ),
            root=self.root,
            admin_units=tuple(self.units.units),
            address_plans=MappingProxyType(others),
        )

    def admin_units(self, prov: ProvinceIn) -> list[AdminUnit]:
        """The `admin_units` section, or the units a legacy inventory's own sites imply."""
        given = self.sec.items("admin_units", AdminUnitIn)
        if given:
            return admin_build.explicit_units(given, self.problem)
        return admin_build.legacy_units(
            prov,
            [e.value for e in self.sec.items("districts", DistrictIn)],
            [e.value for e in self.sec.items("communes", CommuneIn)],
        )


def build_inventory(sec: Sections, root: str) -> tuple[Inventory | None, list[Problem]]:
    builder = Builder(sec, root)
    inv = builder.build()
    return inv, builder.problems
