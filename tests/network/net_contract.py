"""The getter contract every FRR driver run must meet, recorded or live.

`expect` comes from outside the driver: the inventory (addresses, ASNs, names) and, live,
an independent vtysh read over `ip netns exec`.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Expect:
    hostname: str | None
    wan_interface: str
    pe_address: str
    pe_asn: int
    local_asn: int


def check_facts(facts: dict[str, Any], expect: Expect) -> None:
    assert facts["vendor"] == "FRRouting"
    assert facts["os_version"].count(".") >= 1
    assert expect.wan_interface in facts["interface_list"]
    assert isinstance(facts["uptime"], float) and facts["uptime"] > 0
    if expect.hostname:
        assert facts["hostname"] == expect.hostname
    assert set(facts) == {
        "os_version",
        "uptime",
        "interface_list",
        "vendor",
        "serial_number",
        "model",
        "hostname",
        "fqdn",
    }


def check_interfaces(interfaces: dict[str, Any], expect: Expect) -> None:
    wan = interfaces[expect.wan_interface]
    assert set(wan) == {"is_up", "is_enabled", "description", "last_flapped", "mtu", "speed", "mac_address"}
    assert wan["is_up"] is True and wan["is_enabled"] is True
    assert wan["mtu"] > 0 and len(wan["mac_address"].split(":")) == 6


def check_bgp(bgp: dict[str, Any], expect: Expect) -> None:
    peer = bgp["global"]["peers"][expect.pe_address]
    assert peer["remote_as"] == expect.pe_asn
    assert peer["local_as"] == expect.local_asn
    assert peer["is_up"] is True and peer["is_enabled"] is True
    assert peer["uptime"] >= 0
    assert peer["address_family"]["ipv4"]["received_prefixes"] >= 0
    assert peer["remote_id"] == expect.pe_address or peer["remote_id"].count(".") == 3
