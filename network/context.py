"""What a router template sees: one read-only record per device, built from the inventory model.

Templates never compute addresses or read the inventory themselves; everything they print is a
field here, so a typo in a template is an error (StrictUndefined), not an empty line.
"""

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from provdc.core.errors import ProvdcError
from provdc.inventory.model import Inventory, Site
from provdc.inventory.platforms import PLATFORMS, Platform, platform_named

SECRET_OPEN, SECRET_CLOSE = "<<secret:", ">>"
# Where the SHA-512 crypt hash of a secret goes (Junos `encrypted-password`): hashed at push time.
CRYPT_OPEN = "<<secret-sha512crypt:"


@dataclass(frozen=True)
class Net:
    """An address on a network, in each notation some platform wants."""

    address: IPv4Address
    network: IPv4Network

    @property
    def cidr(self) -> str:
        return f"{self.address}/{self.network.prefixlen}"

    @property
    def netmask(self) -> str:
        return str(self.network.netmask)

    @property
    def prefix(self) -> str:
        return str(self.network)


@dataclass(frozen=True)
class Prefix:
    network: IPv4Network

    @property
    def prefix(self) -> str:
        return str(self.network)

    @property
    def address(self) -> str:
        return str(self.network.network_address)

    @property
    def netmask(self) -> str:
        return str(self.network.netmask)

    @property
    def wildcard(self) -> str:
        return str(self.network.hostmask)


@dataclass(frozen=True)
class LanPort:
    role: str
    vlan: int
    # the VLAN sub-interface, or the port whose unit it is: GigabitEthernet0/0/1.20, ge-0/0/1, lan0
    interface: str
    gateway: Net


@dataclass(frozen=True)
class Wan:
    interface: str
    circuit_id: str
    carrier: str
    bandwidth_kbps: int
    ce: Net
    pe_address: IPv4Address
    pe_name: str
    pe_asn: int
    routing: str
    # Ends with the site's name, so a reorganisation's rename reaches every platform's config
    # (FRR's delta leaves hostname out, and it has no banner or SNMP location of its own).
    description: str


@dataclass(frozen=True)
class Qos:
    """Video conference (DSCP EF/AF41) gets a strict-priority queue sized for its endpoints."""

    vc_kbps: int
    link_kbps: int


@dataclass(frozen=True)
class Snmp:
    user: str
    auth: str
    priv: str
    auth_key: str  # a placeholder naming the reference; filled at push time from the target
    priv_key: str


@dataclass(frozen=True)
class Aaa:
    """TACACS+ servers, then the local break-glass user; secrets as placeholders."""

    tacacs_servers: tuple[IPv4Address, ...]
    tacacs_key: str
    break_glass_user: str
    break_glass_secret: str  # the secret itself (IOS hashes it with scrypt on entry)
    break_glass_crypt: str  # its SHA-512 crypt hash (Junos takes only a hash without a prompt)


@dataclass(frozen=True)
class DeviceContext:
    hostname: str
    platform: Platform
    model: str  # the router model whose ports and features the render is for
    security_zones: bool  # a flow-mode firewall: every interface in a zone, policies between them
    site_id: str
    site_name: str
    asn: int
    loopback: IPv4Address
    wan: Wan
    lan_interface: str
    lans: tuple[LanPort, ...]
    advertised: tuple[Prefix, ...]
    qos: Qos
    mgmt_networks: tuple[Prefix, ...]
    dc_networks: tuple[Prefix, ...]  # the DC's LANs: what a site's LANs reach over the WAN
    aaa: Aaa
    snmp: Snmp
    ntp: tuple[IPv4Address, ...]
    syslog_address: IPv4Address
    syslog_port: int
    syslog_protocol: str
    banner: tuple[str, ...]
    domain: str = ""  # the province's network domain (province.domain), none when empty


def secret_placeholder(ref: str) -> str:
    """The mark a rendered file carries where a secret goes: `<<secret:env:NAME>>`."""
    return f"{SECRET_OPEN}{ref}{SECRET_CLOSE}"


def crypt_placeholder(ref: str) -> str:
    """The mark a rendered file carries where the SHA-512 crypt hash of a secret goes."""
    return f"{CRYPT_OPEN}{ref}{SECRET_CLOSE}"


def site_ports(site: Site, platform: Platform) -> tuple[str, str]:
    """(wan, lan) port names of the site's router as `platform`: its own model's on its own platform,
    else the platform's stand-in model's (the lab renders every router as FRR)."""
    if platform == site.router.platform:
        return site.wan.interface, site.lan_interface
    ports = PLATFORMS[platform].stand_in_ports
    return ports.wan, ports.lan


def site_model(site: Site, platform: Platform) -> str:
    """The router model rendered: the site's own on its own platform, else the stand-in."""
    return site.router.model if platform == site.router.platform else PLATFORMS[platform].stand_in


def _lan_interface(platform: Platform, parent: str, vlan: int) -> str:
    """Cisco: a dot1Q sub-interface per VLAN; Junos: units of the parent; FRR: the LAN bridge
    itself carries every gateway (VLAN tagging is the Linux host's, and the lab has no 802.1q)."""
    return f"{parent}.{vlan}" if PLATFORMS[platform].vlan_interface == "sub-interface" else parent


def device_context(inventory: Inventory, site: Site, platform: str | None = None) -> DeviceContext:
    """The record one router's templates render from; `platform` overrides the site's own."""
    plat = platform_named(platform) if platform else site.router.platform
    if plat is None:
        raise ProvdcError(f"platform '{platform}' has no templates (known: {', '.join(PLATFORMS)})")
    wan_if, lan_if = site_ports(site, plat)
    pe = inventory.provider_edges[site.wan.pe]
    services = inventory.services
    link_kbps = site.wan.bandwidth_mbps * 1000
    vc_cap = int(link_kbps * services.vc_max_link_share)
    vc_kbps = min(site.vc_endpoints * services.vc_kbps_per_endpoint, vc_cap)
    lans = tuple(
        LanPort(lan.role, lan.vlan, _lan_interface(plat, lan_if, lan.vlan), Net(lan.gateway, lan.network))
        for lan in site.lans
    )
    snmp, aaa = services.snmp, services.aaa
    model = site_model(site, plat)
    return DeviceContext(
        hostname=site.router.hostname,
        platform=plat,
        model=model,
        security_zones=PLATFORMS[plat].models[model].security_zones,
        site_id=site.id,
        site_name=site.name,
        asn=site.router.asn,
        loopback=site.router.loopback,
        wan=Wan(
            interface=wan_if,
            circuit_id=site.wan.circuit_id,
            carrier=site.wan.carrier,
            bandwidth_kbps=link_kbps,
            ce=Net(site.wan.ce_address, site.wan.network),
            pe_address=site.wan.pe_address,
            pe_name=pe.name,
            pe_asn=pe.asn,
            routing=site.wan.routing,
            description=(
                f"WAN {site.wan.circuit_id} to {pe.name} ({site.wan.carrier}, "
                f"{link_kbps // 1000} Mbit/s), {site.name}"
            ),
        ),
        lan_interface=lan_if,
        lans=lans,
        advertised=tuple(Prefix(lan.network) for lan in site.lans),
        qos=Qos(vc_kbps=vc_kbps, link_kbps=link_kbps),
        mgmt_networks=tuple(Prefix(n) for n in services.management_networks),
        dc_networks=(Prefix(inventory.ipam.datacenter_lans),),
        aaa=Aaa(
            aaa.tacacs_servers,
            secret_placeholder(aaa.tacacs_key_ref),
            aaa.break_glass_user,
            secret_placeholder(aaa.break_glass_secret_ref),
            crypt_placeholder(aaa.break_glass_secret_ref),
        ),
        snmp=Snmp(
            snmp.user,
            snmp.auth,
            snmp.priv,
            secret_placeholder(snmp.auth_key_ref),
            secret_placeholder(snmp.priv_key_ref),
        ),
        ntp=services.ntp,
        syslog_address=services.syslog.address,
        syslog_port=services.syslog.port,
        syslog_protocol=services.syslog.protocol,
        banner=services.banner,
        domain=inventory.province.domain,
    )
