"""Every router platform provdc configures, and the ports of every router model: one table.

The schema's `Platform` Literal, the template features and file suffix of each platform, the NAPALM
driver, netmiko device type and Ansible network_os, the backup completeness rule, and the WAN and
LAN port of each model are all read from here; no other module keeps a list of platforms.

It lives in the inventory package, not in `provdc.network`, because the loader needs it: a site's
model is checked against it and its interface names are derived from it while the model is built,
and the inventory never imports `provdc.network` (network imports the inventory).

Port names are those each model's OS shows for its onboard ports (the NetBox device-type library
lists the same): every site cables the carrier's handoff to `wan` and a trunk to the site switch on
`lan`, which carries every site VLAN as 802.1Q sub-interfaces (IOS) or units (Junos).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

Platform = Literal["frr", "cisco_ios", "juniper_junos"]
# Devices provdc polls over SNMP but never configures: their platform is a label, with no entry here.
HardwarePlatform = Literal["fortios", "cisco_nxos", "ontap", "apc", "hp_oa", "esxi"]
DevicePlatform = Literal[Platform, HardwarePlatform]
ConfigFormat = Literal["text", "set"]
# How a complete running config ends: IOS and FRR print a last line `end`; Junos braces balance.
CompleteWhen = Literal["end-line", "balanced-braces"]
# Where a site VLAN's gateway address goes: a dot1Q sub-interface `<lan>.<vlan>` of the LAN port, or
# the LAN port itself (Junos: its templates write `unit <vlan>`; FRR: the lab's LAN bridge).
VlanInterface = Literal["sub-interface", "port"]


@dataclass(frozen=True)
class ModelPorts:
    """The onboard ports of one router model, by the names its OS gives them."""

    wan: str  # the routed port facing the carrier's PE
    lan: str  # the routed port trunked to the site switch: every site VLAN
    routed: tuple[str, ...]  # every onboard routed port, `wan` and `lan` among them
    switched: tuple[str, ...] = ()  # onboard L2 switch ports: no address, no dot1Q sub-interface
    # A flow-mode firewall (SRX) passes no traffic on an interface outside a security zone.
    security_zones: bool = False

    def __post_init__(self) -> None:
        for role, port in (("wan", self.wan), ("lan", self.lan)):
            if port not in self.routed:
                raise ValueError(f"{role} port {port} is not a routed port of the model")
        if self.wan == self.lan:
            raise ValueError(f"wan and lan are the same port {self.wan}")


@dataclass(frozen=True)
class PlatformSpec:
    """What provdc knows of one platform."""

    name: Platform
    napalm_driver: str  # napalm.get_network_driver() name; "frr" is provdc's own driver
    netmiko_device_type: str
    ansible_network_os: str
    config_format: ConfigFormat  # what the rendered file holds, as NAPALM's loaders name it
    suffix: str  # of the rendered file
    features: tuple[str, ...]  # templates/<platform>/<feature>.j2, in the order device.j2 joins them
    complete_when: CompleteWhen
    # The commit-confirm revert timer counts whole minutes up to this many (IOS `revert timer`
    # through NAPALM's revert_in, Junos `commit confirmed`); None: seconds, with no upper limit.
    revert_minutes_max: int | None
    vlan_interface: VlanInterface
    models: Mapping[str, ModelPorts]
    stand_in: str  # the model assumed when a router of another platform is rendered as this one

    @property
    def stand_in_ports(self) -> ModelPorts:
        return self.models[self.stand_in]


def _gi(*ports: str) -> tuple[str, ...]:
    return tuple(f"GigabitEthernet{p}" for p in ports)


_GI0, _GI1 = _gi("0/0/0", "0/0/1")


_VENDOR_FEATURES = ("base", "interfaces", "qos", "routing", "acl", "snmp", "ntp", "syslog")

_SPECS = (
    # FRR holds the routing plane only: on a Linux router, QoS (tc), NTP (chrony), the SNMPv3 agent
    # (snmpd) and syslog forwarding (rsyslog) belong to the host. Its port names are the ones
    # `provdc lab` gives each router's veth (WAN) and bridge (LAN).
    PlatformSpec(
        name="frr",
        napalm_driver="frr",
        netmiko_device_type="linux",
        ansible_network_os="frr.frr.frr",
        config_format="text",
        suffix=".conf",
        features=("base", "interfaces", "routing", "acl", "syslog"),
        complete_when="end-line",
        revert_minutes_max=None,
        vlan_interface="port",
        models=MappingProxyType({"Debian-12-FRR": ModelPorts("wan0", "lan0", ("wan0", "lan0"))}),
        stand_in="Debian-12-FRR",
    ),
    PlatformSpec(
        name="cisco_ios",
        napalm_driver="ios",
        netmiko_device_type="cisco_ios",
        ansible_network_os="cisco.ios.ios",
        config_format="text",
        suffix=".cfg",
        features=_VENDOR_FEATURES,
        complete_when="end-line",
        revert_minutes_max=120,
        vlan_interface="sub-interface",
        models=MappingProxyType(
            {
                "ISR4321": ModelPorts(_GI0, _GI1, _gi("0/0/0", "0/0/1")),
                "ISR4331": ModelPorts(_GI0, _GI1, _gi("0/0/0", "0/0/1", "0/0/2")),
                # Gi0/1/0-3 are the built-in L2 switch: the site VLANs go on the second routed port,
                # trunked to the site switch, as on the ISRs (an SVI per VLAN would need the switch
                # ports' trunk config on the router as well).
                "C1111-4P": ModelPorts(
                    _GI0, _GI1, _gi("0/0/0", "0/0/1"), _gi("0/1/0", "0/1/1", "0/1/2", "0/1/3")
                ),
            }
        ),
        stand_in="C1111-4P",
    ),
    PlatformSpec(
        name="juniper_junos",
        napalm_driver="junos",
        netmiko_device_type="juniper_junos",
        ansible_network_os="junipernetworks.junos.junos",
        config_format="set",
        suffix=".set",
        features=_VENDOR_FEATURES,
        complete_when="balanced-braces",
        revert_minutes_max=120,
        vlan_interface="port",
        models=MappingProxyType(
            {
                "SRX300": ModelPorts(
                    "ge-0/0/0", "ge-0/0/1", tuple(f"ge-0/0/{n}" for n in range(8)), security_zones=True
                ),
                # PIC 0: 4 x QSFP28 (et-), PIC 1: 8 x SFP+ (xe-). The carrier hands off on SFP+,
                # the DC switches trunk on 100G.
                "MX204": ModelPorts(
                    "xe-0/1/0",
                    "et-0/0/0",
                    tuple(f"et-0/0/{n}" for n in range(4)) + tuple(f"xe-0/1/{n}" for n in range(8)),
                ),
            }
        ),
        stand_in="SRX300",
    ),
)

PLATFORMS: Mapping[Platform, PlatformSpec] = MappingProxyType({s.name: s for s in _SPECS})

if set(PLATFORMS) != set(get_args(Platform)):  # pragma: no cover - a table edit that forgot the Literal
    raise RuntimeError("PLATFORMS and the Platform Literal name different platforms")


def platform_named(name: str) -> Platform | None:
    """`name` as a Platform, or None when provdc has no such platform."""
    for platform in PLATFORMS:
        if platform == name:
            return platform
    return None
