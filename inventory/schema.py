"""The shape of each inventory file section, as pydantic models that reject unknown keys.

These are the *input* types; the loader turns them into the read-only model (model.py).
"""

import unicodedata
from ipaddress import IPv4Address, IPv4Network
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from provdc.inventory.model import LanRole, Routing, SiteLanRole
from provdc.inventory.platforms import DevicePlatform, Platform

Vlan = Annotated[int, Field(ge=1, le=4094)]
Code = Annotated[str, Field(pattern=r"^[0-9A-Za-z]+$", max_length=16)]


def _nfc(value: str) -> str:
    """Vietnamese names are compared and shown exactly: one Unicode form (NFC) only."""
    if unicodedata.normalize("NFC", value) != value:
        raise ValueError("not in Unicode NFC form (re-save the file as NFC)")
    return value


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_nfc)]
Hostname = Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProvinceIn(Strict):
    code: Code
    name: Name
    timezone: str = "Asia/Ho_Chi_Minh"


class ProviderEdgeIn(Strict):
    name: Hostname
    loopback: IPv4Address


class CarrierIn(Strict):
    name: Name
    asn: Annotated[int, Field(ge=1, le=4294967294)]
    provider_edges: list[ProviderEdgeIn] = Field(min_length=1)


class IpamIn(Strict):
    datacenter_lans: IPv4Network
    loopbacks: IPv4Network
    wan: IPv4Network
    agency_lans: IPv4Network
    district_lans: IPv4Network
    commune_lans: IPv4Network
    asn_base: Annotated[int, Field(ge=64512, le=4294967294)]
    site_vlans: dict[SiteLanRole, Vlan]


class SiteDefaultsIn(Strict):
    platform: Platform
    model: Name
    bandwidth_mbps: Annotated[int, Field(gt=0)]
    vc_endpoints: Annotated[int, Field(ge=0)]
    pe: Hostname
    routing: Routing = "bgp"


class EndpointIn(Strict):
    address: IPv4Address
    port: Annotated[int, Field(ge=1, le=65535)]
    protocol: Literal["tcp", "udp"] = "tcp"


class SnmpIn(Strict):
    user: Name
    auth: Literal["SHA", "SHA-256", "SHA-512"] = "SHA"
    priv: Literal["AES", "AES-256"] = "AES"
    auth_key_ref: Annotated[str, Field(pattern=r"^(env|file):.+")]
    priv_key_ref: Annotated[str, Field(pattern=r"^(env|file):.+")]


class VideoConferenceIn(Strict):
    kbps_per_endpoint: Annotated[int, Field(gt=0)]
    max_link_share: Annotated[float, Field(gt=0, le=1)]


class ServicesIn(Strict):
    ntp: list[IPv4Address] = Field(min_length=1)
    dns: list[IPv4Address] = Field(min_length=1)
    syslog: EndpointIn
    snmp: SnmpIn
    management_networks: list[IPv4Network] = Field(min_length=1)
    video_conference: VideoConferenceIn


class LevelsIn(Strict):
    warning: float
    critical: float


class ThresholdsIn(Strict):
    link_utilisation_pct: LevelsIn
    temperature_c: LevelsIn
    cpu_pct: LevelsIn
    memory_pct: LevelsIn
    ups_runtime_min: LevelsIn


class SiteLanIn(Strict):
    role: LanRole
    vlan: Vlan
    network: IPv4Network


class SiteIn(Strict):
    """What every site entry may say; kind-specific keys are checked by the subclasses."""

    code: Code
    name: Name
    circuit_id: Annotated[str, Field(min_length=1, max_length=64)]
    bandwidth_mbps: Annotated[int, Field(gt=0)] | None = None
    vc_endpoints: Annotated[int, Field(ge=0)] | None = None
    platform: Platform | None = None
    model: Name | None = None
    routing: Routing | None = None
    pe: Hostname | None = None


class AgencyIn(SiteIn):
    number: Annotated[int, Field(ge=1, le=47)]
    group: Literal["department", "connected"]


class DistrictIn(SiteIn):
    type: Literal["thanh-pho", "thi-xa", "huyen"]


class CommuneIn(SiteIn):
    type: Literal["phuong", "xa", "thi-tran"]
    district: Code
    camera: bool = False


class DeviceIn(Strict):
    name: Hostname
    role: Literal["core", "firewall", "switch", "storage", "ups", "pdu", "chassis"]
    platform: DevicePlatform
    model: Name
    mgmt_address: IPv4Address
    snmp_profile: str | None = None


class DatacenterIn(SiteIn):
    id: Literal["dc", "dr"]
    lans: list[SiteLanIn] = Field(min_length=1)
    devices: list[DeviceIn] = []


class EsxiHostIn(Strict):
    name: Hostname
    mgmt_address: IPv4Address
    cpu_cores: Annotated[int, Field(gt=0)]
    cpu_mhz: Annotated[int, Field(gt=0)]
    memory_gb: Annotated[int, Field(gt=0)]
    model: Name


class ClusterIn(Strict):
    name: Hostname
    ha_failures: Annotated[int, Field(ge=0)] = 1
    hosts: list[EsxiHostIn] = Field(min_length=1)


Tier = Literal["fast", "capacity"]


class DatastoreIn(Strict):
    name: Hostname
    kind: Literal["nfs"]
    tier: Tier
    capacity_gb: Annotated[int, Field(gt=0)]
    nfs_server: IPv4Address
    nfs_path: Annotated[str, Field(pattern=r"^/")]
    clusters: list[str] = Field(min_length=1)


class PortGroupIn(Strict):
    name: Hostname
    lan: LanRole


class VsphereIn(Strict):
    datacenter: Name
    switch: Hostname
    vcpu_per_core: Annotated[float, Field(gt=0)] = 4
    clusters: list[ClusterIn] = Field(min_length=1)
    datastores: list[DatastoreIn] = Field(min_length=1)
    port_groups: list[PortGroupIn] = Field(min_length=1)
    folders: list[Hostname] = []


class DiskIn(Strict):
    size_gb: Annotated[int, Field(gt=0)]
    tier: Tier
    provisioning: Literal["thin", "thick"] = "thin"


class NicIn(Strict):
    port_group: str
    ip: IPv4Address


class WorkloadIn(Strict):
    name: Hostname
    group: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    service: Name
    cluster: str
    folder: str
    cpu: Annotated[int, Field(ge=1, le=128)]
    memory_gb: Annotated[int, Field(ge=1, le=4096)]
    disks: list[DiskIn] = Field(min_length=1)
    nics: list[NicIn] = Field(min_length=1)
    os: str = "debian-12"
    security_level: Annotated[int, Field(ge=1, le=5)]
    anti_affinity: str | None = None
