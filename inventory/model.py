"""The read-only model of the province that every consumer receives.

Built once by the loader from the inventory files; addresses and numbers are already derived
(ipam.py), references already resolved. Nothing here talks to a device.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from ipaddress import IPv4Address, IPv4Network
from typing import Literal, get_args

from provdc.inventory.platforms import DevicePlatform, Platform

SiteKind = Literal["dc", "dr", "agency", "district", "commune"]
Routing = Literal["bgp", "static"]
# The LANs every WAN site may have (their VLAN ids are the plan's) and the DC/DR's own LANs.
SiteLanRole = Literal["mgmt", "office", "vc", "camera"]
DcLanRole = Literal["vmotion", "storage", "dmz", "app", "db", "infra", "soc", "ioc", "backup"]
LanRole = Literal[SiteLanRole, DcLanRole]
# Administrative units: the levels a unit may be at, and what a site is to the unit it belongs to.
UnitLevel = Literal["province", "district", "commune"]
UnitRole = Literal["seat", "service-point"]


@dataclass(frozen=True)
class Located:
    """Where a fact was written: for error messages."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Lan:
    role: LanRole
    vlan: int
    network: IPv4Network

    @property
    def gateway(self) -> IPv4Address:
        """The router's address on the LAN: the first host."""
        return self.network.network_address + 1


@dataclass(frozen=True)
class Router:
    hostname: str
    platform: Platform
    model: str
    loopback: IPv4Address
    asn: int

    @property
    def mgmt_address(self) -> IPv4Address:
        return self.loopback


@dataclass(frozen=True)
class WanLink:
    circuit_id: str
    carrier: str
    bandwidth_mbps: int
    pe: str
    routing: Routing
    network: IPv4Network
    interface: str

    @property
    def ce_address(self) -> IPv4Address:
        return self.network.network_address + 1

    @property
    def pe_address(self) -> IPv4Address:
        return self.network.network_address + 2


@dataclass(frozen=True)
class AdminUnit:
    """An administrative unit over the period it existed: a code names one unit at a time.

    Codes are reused across reorganisations (a 2025 ward takes the code of one of the communes it
    merged), so a unit is its code *and* its validity; `valid_to` is the last day it existed.
    """

    code: str
    name: str
    type: str
    level: UnitLevel
    parent: str | None  # the code of the unit it belongs to, valid over the same period
    valid_from: date | None = None  # None: since before the inventory's history
    valid_to: date | None = None  # None: still valid

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class Membership:
    """A site belongs to a unit over a period: as its seat or as one of its service points."""

    unit: AdminUnit
    role: UnitRole = "seat"
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class Site:
    """A physical place: router, circuit, LANs and addresses, and the units it belonged to.

    `parent` is the WAN aggregation hub the site hangs off (a district site, `dist-<code>`); it
    is a network fact, not an administrative level. `admin` is the site's history of units.
    """

    id: str
    kind: SiteKind
    code: str
    name: str
    type: str
    parent: str | None
    slot: int
    router: Router
    wan: WanLink
    lans: tuple[Lan, ...]
    vc_endpoints: int
    lan_interface: str
    src: Located
    admin: tuple[Membership, ...] = ()
    plan: str = ""  # the address plan its addresses come from: "" for the inventory's own `ipam`

    def lan(self, role: LanRole) -> Lan | None:
        return next((lan for lan in self.lans if lan.role == role), None)

    @property
    def hub(self) -> str | None:
        """The site id of the WAN aggregation hub (a district site), if the site hangs off one."""
        return self.parent

    @property
    def district(self) -> str | None:
        """The hub's district code ('288' for dist-288): the old district, now a WAN hub."""
        return self.parent.removeprefix("dist-") if self.parent else None

    def membership_on(self, day: date) -> Membership | None:
        return next((m for m in self.admin if m.valid_on(day)), None)

    @property
    def membership(self) -> Membership | None:
        """The membership still valid (no end date), else the latest one."""
        current = [m for m in self.admin if m.valid_to is None]
        return current[-1] if current else (self.admin[-1] if self.admin else None)

    @property
    def unit(self) -> AdminUnit | None:
        """The administrative unit the site belongs to now (None for the DC, DR, agencies, hubs)."""
        m = self.membership
        return m.unit if m else None


@dataclass(frozen=True)
class ProviderEdge:
    name: str
    asn: int
    loopback: IPv4Address


@dataclass(frozen=True)
class Device:
    """A managed network or hardware device: what pollers and pushers iterate."""

    name: str
    site: str
    role: str
    platform: DevicePlatform
    model: str
    mgmt_address: IPv4Address
    snmp_profile: str | None = None
    src: Located | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EsxiHost:
    name: str
    cluster: str
    cpu_cores: int
    cpu_mhz: int
    memory_gb: int
    model: str
    mgmt_address: IPv4Address


@dataclass(frozen=True)
class Cluster:
    name: str
    hosts: tuple[str, ...]
    ha_failures: int


@dataclass(frozen=True)
class Datastore:
    name: str
    kind: str
    tier: str
    capacity_gb: int
    nfs_server: IPv4Address
    nfs_path: str
    clusters: tuple[str, ...]


@dataclass(frozen=True)
class PortGroup:
    name: str
    vlan: int
    network: IPv4Network
    switch: str


@dataclass(frozen=True)
class Vsphere:
    datacenter: str
    switch: str
    vcpu_per_core: float
    clusters: tuple[Cluster, ...]
    hosts: tuple[EsxiHost, ...]
    datastores: tuple[Datastore, ...]
    port_groups: tuple[PortGroup, ...]
    folders: tuple[str, ...]
    templates: Mapping[str, str] = field(default_factory=dict)  # OS (VM.os) -> its template VM

    def datastore_for(self, tier: str, cluster: str) -> Datastore | None:
        """The datastore of a tier mounted on a cluster (the first one declared)."""
        return next((d for d in self.datastores if d.tier == tier and cluster in d.clusters), None)


@dataclass(frozen=True)
class Disk:
    size_gb: int
    tier: str
    provisioning: Literal["thin", "thick"]


@dataclass(frozen=True)
class Nic:
    port_group: str
    ip: IPv4Address


@dataclass(frozen=True)
class VM:
    name: str  # also its hostname
    group: str
    service: str
    cluster: str
    folder: str
    cpu: int
    memory_gb: int
    disks: tuple[Disk, ...]
    nics: tuple[Nic, ...]
    os: str
    security_level: int
    anti_affinity: str | None
    src: Located

    @property
    def address(self) -> IPv4Address:
        return self.nics[0].ip


@dataclass(frozen=True)
class Endpoint:
    address: IPv4Address
    port: int
    protocol: str


@dataclass(frozen=True)
class SnmpSettings:
    """The SNMPv3 user every device and host carries; keys are references, never values."""

    user: str
    auth: str
    priv: str
    auth_key_ref: str
    priv_key_ref: str


@dataclass(frozen=True)
class AaaSettings:
    """Router logins: TACACS+ to the DC, then the local break-glass user; secrets are references."""

    tacacs_servers: tuple[IPv4Address, ...]
    tacacs_key_ref: str
    break_glass_user: str
    break_glass_secret_ref: str


@dataclass(frozen=True)
class Services:
    ntp: tuple[IPv4Address, ...]
    dns: tuple[IPv4Address, ...]
    syslog: Endpoint
    snmp: SnmpSettings
    management_networks: tuple[IPv4Network, ...]
    vc_kbps_per_endpoint: int
    vc_max_link_share: float
    aaa: AaaSettings
    banner: tuple[str, ...]  # the legal banner, one line each


@dataclass(frozen=True)
class Levels:
    warning: float
    critical: float


@dataclass(frozen=True)
class IpamPlan:
    """The pools every site's addresses and numbers are cut from (ipam.py, docs/ipam.md)."""

    datacenter_lans: IPv4Network
    loopbacks: IPv4Network
    wan: IPv4Network
    agency_lans: IPv4Network
    district_lans: IPv4Network
    commune_lans: IPv4Network
    asn_base: int
    site_vlans: Mapping[SiteLanRole, int]
    # The official codes slot 0 of the district and commune ranges stands for (province data).
    district_code_base: int = 288
    commune_code_base: int = 10500

    def pools(self) -> tuple[tuple[str, IPv4Network], ...]:
        """(name, network) of each address pool, as the inventory's `ipam` section names them."""
        return (
            ("datacenter_lans", self.datacenter_lans),
            ("loopbacks", self.loopbacks),
            ("wan", self.wan),
            ("agency_lans", self.agency_lans),
            ("district_lans", self.district_lans),
            ("commune_lans", self.commune_lans),
        )


@dataclass(frozen=True)
class Province:
    code: str
    name: str
    timezone: str
    type: str = "tinh"  # tinh or thanh-pho (a centrally run city)
    domain: str = ""  # the DNS domain of the network (routers' domain name)
    portal_host: str = ""  # the public-service portal's host name
    noc_contact: str = ""  # the SNMP contact of the province's devices


@dataclass(frozen=True)
class Inventory:
    """The whole province; its mappings are read-only views (types.MappingProxyType)."""

    province: Province
    ipam: IpamPlan
    sites: Mapping[str, Site]
    provider_edges: Mapping[str, ProviderEdge]
    dc_devices: tuple[Device, ...]
    vsphere: Vsphere
    workloads: tuple[VM, ...]
    services: Services
    thresholds: Mapping[str, Levels]
    root: str = field(default="")
    admin_units: tuple[AdminUnit, ...] = ()
    # Other provinces' address plans kept whole by a merge, by name (sites say which they use).
    address_plans: Mapping[str, IpamPlan] = field(default_factory=dict)

    def units_on(self, day: date, level: UnitLevel | None = None) -> list[AdminUnit]:
        """The administrative units valid on a day (at one level, or all)."""
        return [u for u in self.admin_units if u.valid_on(day) and (level is None or u.level == level)]

    def sites_in(self, unit: AdminUnit) -> list[Site]:
        """The sites belonging to a unit over its validity: the seat first, then service points."""
        found = [
            (m.role != "seat", s.code, s) for s in self.sites.values() for m in s.admin if m.unit == unit
        ]
        return [s for _, _, s in sorted(found, key=lambda t: (t[0], t[1]))]

    def devices(self) -> Iterator[Device]:
        """Every managed network device: site routers, PEs, then the DC/DR hardware."""
        for site in self.sites.values():
            r = site.router
            yield Device(r.hostname, site.id, "router", r.platform, r.model, r.mgmt_address)
        for pe in self.provider_edges.values():
            yield Device(pe.name, "carrier", "pe", "frr", "carrier-pe", pe.loopback)
        yield from self.dc_devices

    def sites_of(self, kind: SiteKind) -> list[Site]:
        return [s for s in self.sites.values() if s.kind == kind]

    def summary(self) -> dict[str, int]:
        kinds = {k: len(self.sites_of(k)) for k in get_args(SiteKind)}
        return {
            "sites": len(self.sites),
            **{f"{k}_sites": n for k, n in kinds.items()},
            "devices": sum(1 for _ in self.devices()),
            "vms": len(self.workloads),
            "esxi_hosts": len(self.vsphere.hosts),
            "port_groups": len(self.vsphere.port_groups),
            "datastores": len(self.vsphere.datastores),
        }
