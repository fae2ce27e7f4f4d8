"""Health gates: getter snapshots before and after a change, compared per device.

A device passes when what was healthy before is healthy after: reachable, the WAN interface up,
the BGP session to its PE established and still receiving routes. A router that was already
unhealthy before the change is not blamed for it.
"""

import time
from dataclasses import dataclass
from typing import Any

from jnpr.junos.exception import ConnectError, RpcError  # type: ignore[import-untyped]
from napalm.base.exceptions import NapalmException  # type: ignore[import-untyped]

from provdc.network.errors import DeviceError
from provdc.network.scope import Managed


@dataclass(frozen=True)
class Snapshot:
    reachable: bool
    wan_up: bool
    bgp_up: bool  # the session to the PE (True for static routing when the WAN is up)
    pe_prefixes: int

    def as_json(self) -> dict[str, Any]:
        return {
            "reachable": self.reachable,
            "wan_up": self.wan_up,
            "bgp_up": self.bgp_up,
            "pe_prefixes": self.pe_prefixes,
        }


def snapshot(driver: Any, device: Managed, wan_interface: str) -> Snapshot:
    try:
        interfaces = driver.get_interfaces()
        wan_up = bool(interfaces.get(wan_interface, {}).get("is_up", False))
        if device.site.wan.routing == "static":
            return Snapshot(True, wan_up, wan_up, 0)
        peers = driver.get_bgp_neighbors().get("global", {}).get("peers", {})
        peer = peers.get(str(device.site.wan.pe_address))
    except (DeviceError, NapalmException, OSError, EOFError, ConnectError, RpcError):
        # NAPALM's exceptions, a lost netmiko session, PyEZ's closed or refused NETCONF
        return Snapshot(False, False, False, 0)
    if peer is None:
        return Snapshot(True, wan_up, False, 0)
    families = peer["address_family"]
    ipv4 = families.get("ipv4") or families.get("ipv4 unicast") or {}  # FRR, Junos / IOS key
    prefixes = max(0, int(ipv4.get("received_prefixes", 0)))
    return Snapshot(True, wan_up, bool(peer["is_up"]), prefixes)


def verdict(before: Snapshot, after: Snapshot) -> str | None:
    """None when the device passes, else what broke."""
    if before.reachable and not after.reachable:
        return "unreachable after the change"
    if before.wan_up and not after.wan_up:
        return "WAN interface went down"
    if before.bgp_up and not after.bgp_up:
        return "BGP session to the PE is no longer established"
    if before.pe_prefixes > 0 and after.pe_prefixes == 0:
        return "BGP session to the PE receives no routes any more"
    return None


def wait_for_gate(
    check: Any, before: Snapshot, timeout: float, interval: float = 2.0
) -> tuple[Snapshot, str | None]:
    """Poll `check()` until the device passes or `timeout` seconds pass (BGP needs time)."""
    deadline = time.monotonic() + timeout
    while True:
        after = check()
        problem = verdict(before, after)
        if problem is None or time.monotonic() >= deadline:
            return after, problem
        time.sleep(interval)
