"""The shape of each inventory file section, as pydantic models that reject unknown keys.

These are the *input* types; the loader turns them into the read-only model (model.py).
"""

from datetime import date
from ipaddress import IPv4Address, IPv4Network
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from provdc.inventory.ipam import COMMUNE_CODE_BASE, DISTRICT_CODE_BASE
from provdc.inventory.ipam import SLOTS as SITE_SLOTS
from provdc.inventory.kinds import (
    ASN_MAX,
    AbsolutePath,
    Asn,
    Bandwidth,
    CircuitId,
    Code,
    Count,
    Day,
    DomainName,
    Email,
    Finite,
    Flag,
    GroupName,
    Hostname,
    HumanName,
    Identifier,
    ManagementNetwork,
    OsName,
    Port,
    Positive,
    ProfileName,
    SecretRef,
    SnmpUser,
    Timezone,
    Vlan,
    Whole,
)
from provdc.inventory.model import LanRole, Routing, SiteLanRole, UnitLevel, UnitRole
from provdc.inventory.platforms import DevicePlatform, Platform

Name = HumanName  # the name the rest of provdc has used for this kind


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


ProvinceType = Literal["tinh", "thanh-pho"]  # a province, or a city run by the central government
DistrictType = Literal["thanh-pho", "thi-xa", "huyen", "quan"]
CommuneType = Literal["phuong", "xa", "thi-tran", "dac-khu"]
UnitType = Literal[ProvinceType, DistrictType, CommuneType]


class ProvinceIn(Strict):
    code: Code
    name: Name
    timezone: Timezone = "Asia/Ho_Chi_Minh"
    type: ProvinceType = "tinh"
    domain: DomainName | None = None  # the network's DNS domain (routers' domain name)
    portal_host: DomainName | None = None  # the public-service portal's host name
    noc_contact: Email | None = None  # the SNMP contact of the province's devices


def _ordered_days(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"valid_to {end} is before valid_from {start}")


class AdminUnitIn(Strict):
    """An administrative unit over its validity (admin_units section)."""

    code: Code
    name: Name
    type: UnitType
    level: UnitLevel
    parent: Code | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None  # the last day the unit existed

    @model_validator(mode="after")
    def _period(self) -> "AdminUnitIn":
        _ordered_days(self.valid_from, self.valid_to)
        if (self.level == "province") != (self.parent is None):
            raise ValueError("a province has no parent; a district or commune names its parent's code")
        return self


class MembershipIn(Strict):
    """A site belongs to a unit (by code, resolved over the period) as its seat or a service point."""

    unit: Code
    role: UnitRole = "seat"
    valid_from: Day | None = None
    valid_to: Day | None = None

    @model_validator(mode="after")
    def _period(self) -> "MembershipIn":
        _ordered_days(self.valid_from, self.valid_to)
        return self


class ProviderEdgeIn(Strict):
    name: Hostname
    loopback: IPv4Address


class CarrierIn(Strict):
    name: Name
    asn: Asn
    provider_edges: list[ProviderEdgeIn] = Field(min_length=1)


def _every_site_vlan(vlans: dict[SiteLanRole, int]) -> dict[SiteLanRole, int]:
    """The plan gives every WAN site all four LANs' VLANs: a missing one is named, not a KeyError."""
    missing = [role for role in get_args(SiteLanRole) if role not in vlans]
    if missing:
        raise PydanticCustomError("missing", "no VLAN for {roles}", {"roles": ", ".join(missing)})
    return vlans


class IpamIn(Strict):
    datacenter_lans: IPv4Network
    loopbacks: IPv4Network
    wan: IPv4Network
    agency_lans: IPv4Network
    district_lans: IPv4Network
    commune_lans: IPv4Network
    # every site's ASN is asn_base + its slot: the highest slot must stay a 32-bit ASN
    asn_base: Annotated[Whole, Field(ge=64512, le=ASN_MAX - (SITE_SLOTS - 1))]
    site_vlans: Annotated[dict[SiteLanRole, Vlan], AfterValidator(_every_site_vlan)]
    # the official codes of the first district and commune slot (Hải Dương's when not given)
    district_code_base: Annotated[Whole, Field(ge=0, le=999)] = DISTRICT_CODE_BASE
    commune_code_base: Annotated[Whole, Field(ge=0, le=99_999)] = COMMUNE_CODE_BASE


class AddressPlanIn(IpamIn):
    """Another province's address plan, kept whole after a merge: its sites say `plan: NAME`."""

    name: Identifier
    province: Code


class SiteDefaultsIn(Strict):
    platform: Platform
    model: Name
    bandwidth_mbps: Bandwidth
    vc_endpoints: Count
    pe: Hostname
    routing: Routing = "bgp"


class EndpointIn(Strict):
    address: IPv4Address
    port: Port
    protocol: Literal["tcp", "udp"] = "tcp"


class SnmpIn(Strict):
    user: SnmpUser
    auth: Literal["SHA", "SHA-256", "SHA-512"] = "SHA"
    priv: Literal["AES", "AES-256"] = "AES"
    auth_key_ref: SecretRef
    priv_key_ref: SecretRef


class VideoConferenceIn(Strict):
    kbps_per_endpoint: Positive
    max_link_share: Annotated[Finite, Field(gt=0, le=1)]


class AaaIn(Strict):
    """Router logins: TACACS+ servers in the DC, and the local user for when none answers."""

    tacacs_servers: list[IPv4Address] = Field(min_length=1)
    tacacs_key_ref: SecretRef
    break_glass_user: Identifier
    break_glass_secret_ref: SecretRef


class ServicesIn(Strict):
    ntp: list[IPv4Address] = Field(min_length=1)
    dns: list[IPv4Address] = Field(min_length=1)
    syslog: EndpointIn
    snmp: SnmpIn
    management_networks: list[ManagementNetwork] = Field(min_length=1)
    video_conference: VideoConferenceIn
    aaa: AaaIn
    banner: list[HumanName] = Field(min_length=1, max_length=20)  # one line each


class LevelsIn(Strict):
    """Levels of a reading that is worse when higher: warning comes first."""

    warning: Annotated[Finite, Field(ge=0)]
    critical: Annotated[Finite, Field(ge=0)]

    @model_validator(mode="after")
    def _ordered(self) -> "LevelsIn":
        if self.warning > self.critical:
            raise ValueError("warning is beyond critical (higher is worse here)")
        return self


class PercentLevelsIn(LevelsIn):
    warning: Annotated[Finite, Field(ge=0, le=100)]
    critical: Annotated[Finite, Field(ge=0, le=100)]


class FallingLevelsIn(Strict):
    """Levels of a reading that is worse when lower (UPS runtime): warning is the higher one."""

    warning: Annotated[Finite, Field(ge=0)]
    critical: Annotated[Finite, Field(ge=0)]

    @model_validator(mode="after")
    def _ordered(self) -> "FallingLevelsIn":
        if self.warning < self.critical:
            raise ValueError("warning is below critical (lower is worse here)")
        return self


class ThresholdsIn(Strict):
    link_utilisation_pct: PercentLevelsIn
    temperature_c: LevelsIn
    cpu_pct: PercentLevelsIn
    memory_pct: PercentLevelsIn
    ups_runtime_min: FallingLevelsIn


class SiteLanIn(Strict):
    role: LanRole
    vlan: Vlan
    network: IPv4Network


class SiteIn(Strict):
    """What every site entry may say; kind-specific keys are checked by the subclasses."""

    code: Code
    name: Name
    circuit_id: CircuitId
    bandwidth_mbps: Bandwidth | None = None
    vc_endpoints: Count | None = None
    platform: Platform | None = None
    model: Name | None = None
    routing: Routing | None = None
    pe: Hostname | None = None
    plan: Identifier | None = None  # an address plan of `address_plans` (merged inventories)


class AgencyIn(SiteIn):
    number: Annotated[Whole, Field(ge=1, le=47)]
    group: Literal["department", "connected"]


class DistrictIn(SiteIn):
    """A district site: the district's own unit (legacy), or `hub`, a WAN aggregation point only."""

    type: Literal[DistrictType, "hub"]
    admin: list[MembershipIn] = []


class CommuneIn(SiteIn):
    """A commune-level site. Legacy form: `type` and `district` (its unit and hub in one);
    two-tier form: `hub` (the WAN hub's district code) and `admin` (the units it belongs to)."""

    type: CommuneType | None = None
    district: Code | None = None
    hub: Code | None = None
    camera: Flag = False
    admin: list[MembershipIn] = []

    @model_validator(mode="after")
    def _placed(self) -> "CommuneIn":
        if (self.district is None) == (self.hub is None):
            raise ValueError("give either district (legacy) or hub (two-tier), exactly one")
        if not self.admin and self.type is None:
            raise ValueError("a commune without admin memberships needs its type")
        return self

    @property
    def hub_code(self) -> str:
        return self.hub or self.district or ""


class DeviceIn(Strict):
    name: Hostname
    role: Literal["core", "firewall", "switch", "storage", "ups", "pdu", "chassis"]
    platform: DevicePlatform
    model: Name
    mgmt_address: IPv4Address
    snmp_profile: ProfileName | None = None


class DatacenterIn(SiteIn):
    id: Literal["dc", "dr"]
    lans: list[SiteLanIn] = Field(min_length=1)
    devices: list[DeviceIn] = []


class EsxiHostIn(Strict):
    name: Hostname
    mgmt_address: IPv4Address
    cpu_cores: Annotated[Positive, Field(le=1024)]
    cpu_mhz: Annotated[Positive, Field(le=10_000)]
    memory_gb: Annotated[Positive, Field(le=65_536)]
    model: Name


class ClusterIn(Strict):
    name: Hostname
    ha_failures: Annotated[Count, Field(le=64)] = 1
    hosts: list[EsxiHostIn] = Field(min_length=1)


Tier = Literal["fast", "capacity"]


class DatastoreIn(Strict):
    name: Hostname
    kind: Literal["nfs"]
    tier: Tier
    capacity_gb: Positive
    nfs_server: IPv4Address
    nfs_path: AbsolutePath
    clusters: list[Hostname] = Field(min_length=1)


class PortGroupIn(Strict):
    name: Hostname
    lan: LanRole


class VsphereIn(Strict):
    datacenter: Name
    switch: Hostname
    vcpu_per_core: Annotated[Finite, Field(gt=0, le=64)] = 4
    clusters: list[ClusterIn] = Field(min_length=1)
    datastores: list[DatastoreIn] = Field(min_length=1)
    port_groups: list[PortGroupIn] = Field(min_length=1)
    folders: list[Hostname] = []
    templates: dict[OsName, Hostname] = {}  # the template VM each OS's workloads are cloned from


class DiskIn(Strict):
    size_gb: Annotated[Positive, Field(le=1_000_000)]
    tier: Tier
    provisioning: Literal["thin", "thick"] = "thin"


class NicIn(Strict):
    port_group: Hostname
    ip: IPv4Address


class WorkloadIn(Strict):
    name: Hostname
    group: GroupName
    service: Name
    cluster: Hostname
    folder: Hostname
    cpu: Annotated[Whole, Field(ge=1, le=128)]
    memory_gb: Annotated[Whole, Field(ge=1, le=4096)]
    disks: list[DiskIn] = Field(min_length=1)
    nics: list[NicIn] = Field(min_length=1)
    os: OsName = "debian-12"
    security_level: Annotated[Whole, Field(ge=1, le=5)]
    anti_affinity: Identifier | None = None
