"""FRR's own output (vtysh `show ... json`, frr-reload.py --test) into NAPALM's structures.

Pure functions: the contract tests feed them output recorded from FRR, and the live tests feed
them the same commands' output from the lab routers.
"""

import json
import re
from typing import Any

from napalm.base import models  # type: ignore[import-untyped]
from napalm.base.helpers import mac  # type: ignore[import-untyped]

VERSION = re.compile(r"FRRouting (\S+)")
HOSTNAME = re.compile(r"^hostname (\S+)$", re.M)
# Lines frr-reload.py lists but never changes, and lines the running config always carries.
IGNORED = ("frr version ", "frr defaults ", "end", "!", "Building configuration...", "Current configuration:")
# Lines vtysh keeps to itself: FRR 8.4's daemons never take them, so no reload converges on them
# (the hostname they report is the system's). Listed in docs/network.md; left out of deltas.
VTYSH_LOCAL = (
    "hostname ",
    "no hostname ",
    "banner motd ",
    "no banner motd",
    "service integrated-vtysh-config",
)
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ +[A-Z]+: ")  # frr-reload.py --stdout
HEADER = ("Building configuration...", "Current configuration:")


def load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what}: not JSON ({exc.msg})") from None


def facts(version_text: str, running: str, interfaces_json: str, uptime_text: str) -> models.FactsDict:
    version = VERSION.search(version_text)
    hostname = HOSTNAME.search(running)
    return {
        "os_version": version.group(1) if version else "",
        "uptime": float(uptime_text.split()[0]) if uptime_text.strip() else -1.0,
        "interface_list": sorted(load_json(interfaces_json, "show interface json")),
        "vendor": "FRRouting",
        "serial_number": "",
        "model": "FRR",
        "hostname": hostname.group(1) if hostname else "",
        "fqdn": hostname.group(1) if hostname else "",
    }


def interfaces(interfaces_json: str) -> dict[str, models.InterfaceDict]:
    data = load_json(interfaces_json, "show interface json")
    result: dict[str, models.InterfaceDict] = {}
    for name, item in data.items():
        result[name] = {
            "is_up": item.get("operationalStatus") == "up",
            "is_enabled": item.get("administrativeStatus") == "up",
            "description": item.get("description", ""),
            "last_flapped": -1.0,
            "mtu": int(item.get("mtu", 0)),
            "speed": float(item.get("speed", 0)),
            # NAPALM's form (upper-case EUI-48, as get_arp_table gives); "" where FRR shows none (lo).
            "mac_address": mac(item["hardwareAddress"]) if item.get("hardwareAddress") else "",
        }
    return result


def bgp_neighbors(summary_json: str, neighbors_json: str) -> dict[str, models.BGPStateNeighborsPerVRFDict]:
    """`show bgp vrf all summary json` + `show bgp vrf all neighbors json` → get_bgp_neighbors()."""
    summary = load_json(summary_json, "show bgp summary json")
    details = load_json(neighbors_json, "show bgp neighbors json")
    result: dict[str, models.BGPStateNeighborsPerVRFDict] = {}
    for vrf, families in summary.items():
        vrf_details = details.get(vrf, {})
        key = "global" if vrf == "default" else vrf
        peers: dict[str, models.BGPStateNeighborDict] = {}
        router_id = ""
        for family, block in families.items():
            if not isinstance(block, dict) or "peers" not in block:
                continue
            router_id = block.get("routerId", router_id)
            afi = "ipv4" if family.startswith("ipv4") else "ipv6" if family.startswith("ipv6") else family
            for address, peer in block["peers"].items():
                detail = vrf_details.get(address, {})
                up = peer.get("state") == "Established"
                entry = peers.setdefault(
                    address,
                    {
                        "local_as": int(peer.get("localAs", block.get("as", 0))),
                        "remote_as": int(peer.get("remoteAs", 0)),
                        "remote_id": detail.get("remoteRouterId", ""),
                        "is_up": up,
                        "is_enabled": "Admin" not in str(peer.get("state", "")),
                        "description": detail.get("nbrDesc", peer.get("desc", "")),
                        "uptime": int(peer.get("peerUptimeMsec", 0)) // 1000 if up else -1,
                        "address_family": {},
                    },
                )
                prefixes = int(peer.get("pfxRcd", 0)) if up else -1
                entry["address_family"][afi] = {
                    "received_prefixes": prefixes,
                    "accepted_prefixes": prefixes,
                    "sent_prefixes": int(peer.get("pfxSnt", 0)) if up else -1,
                }
        result[key] = {"router_id": router_id, "peers": peers}
    return result


def reload_delta(test_output: str) -> tuple[list[str], list[str]]:
    """frr-reload.py --test output → (lines to delete, lines to add), each context shown once."""
    section: list[str] | None = None
    delete: list[str] = []
    add: list[str] = []
    for line in test_output.splitlines():
        if line == "Lines To Delete":
            section = delete
        elif line == "Lines To Add":
            section = add
        elif section is not None and line and not line.startswith("===") and not LOG_LINE.match(line):
            if line.strip().startswith(IGNORED) or line.startswith(VTYSH_LOCAL):
                continue
            if section is add and line.startswith("no "):
                delete.append(line[3:].rstrip())  # frr-reload removes some lines by adding `no …`
            else:
                section.append(line.rstrip())
    return _collapse(delete), _collapse(add)


def _collapse(lines: list[str]) -> list[str]:
    """frr-reload repeats each parent context before every child line; show each parent once."""
    out: list[str] = []
    path: list[str] = []
    for line in lines:
        depth = len(line) - len(line.lstrip())
        if depth < len(path) and path[depth] == line:
            continue  # the same parent again: deeper lines may repeat too
        out.append(line)
        path = [*path[:depth], line]
    return out


def clean_running(text: str) -> str:
    """`show running-config` without vtysh's header: a file frr-reload.py and vtysh -f accept."""
    lines = text.splitlines()
    while lines and (not lines[0].strip() or lines[0].startswith(HEADER)):
        lines.pop(0)
    return "\n".join(lines) + "\n"


def delta_text(delete: list[str], add: list[str]) -> str:
    """The delta as a diff: `-` for lines to remove, `+` for lines to add; empty when none."""
    return "\n".join([f"- {line}" for line in delete] + [f"+ {line}" for line in add])


def rejected_line(output: str) -> str:
    """The config line FRR refused, from vtysh / frr-reload.py error output."""
    match = re.search(r"% (?:Unknown|Ambiguous|Incomplete) command[^:]*:\s*(.*?)(?:\\n|'|$)", output, re.M)
    if match:
        return match.group(1).strip()
    lines = [line for line in output.splitlines() if line.strip() and " INFO: " not in line]
    return lines[-1].strip() if lines else "unknown error"


def interfaces_ip(interfaces_json: str) -> dict[str, models.InterfacesIPDict]:
    """`show interface json` addresses → get_interfaces_ip(); interfaces with none left out."""
    result: dict[str, models.InterfacesIPDict] = {}
    for name, item in load_json(interfaces_json, "show interface json").items():
        families: dict[str, dict[str, models.InterfacesIPDictEntry]] = {}
        for entry in item.get("ipAddresses", []):
            address, _, length = str(entry["address"]).partition("/")
            family = "ipv6" if ":" in address else "ipv4"
            families.setdefault(family, {})[address] = {"prefix_length": int(length or 0)}
        if families:
            result[name] = families
    return result


def _policy(family: dict[str, Any], direction: str) -> str:
    """The route-map, else the prefix-list, FRR applies to a peer's updates in one direction."""
    route_map = family.get(f"routeMapFor{direction}Advertisements", "")
    if route_map:
        return str(route_map)
    key = "incomingUpdatePrefixFilterList" if direction == "Incoming" else "outgoingUpdatePrefixFilterList"
    return str(family.get(key, ""))


def bgp_neighbors_detail(
    neighbors_json: str, neighbor_address: str = ""
) -> dict[str, dict[int, list[models.PeerDetailsDict]]]:
    """`show bgp vrf all neighbors json` → get_bgp_neighbors_detail(): per VRF, per remote AS."""
    result: dict[str, dict[int, list[models.PeerDetailsDict]]] = {}
    for vrf, peers in load_json(neighbors_json, "show bgp neighbors json").items():
        key = "global" if vrf == "default" else vrf
        by_as = result.setdefault(key, {})
        for address, peer in peers.items():
            if not isinstance(peer, dict) or "remoteAs" not in peer:
                continue  # vrfId, vrfName
            if neighbor_address and address != neighbor_address:
                continue
            family = peer.get("addressFamilyInfo", {}).get("ipv4Unicast", {})
            stats = peer.get("messageStats", {})
            accepted = int(family.get("acceptedPrefixCounter", 0))
            by_as.setdefault(int(peer["remoteAs"]), []).append(
                {
                    "up": peer.get("bgpState") == "Established",
                    "local_as": int(peer.get("localAs", 0)),
                    "remote_as": int(peer["remoteAs"]),
                    "router_id": str(peer.get("remoteRouterId", "")),
                    "local_address": str(peer.get("hostLocal", "")),
                    "routing_table": vrf,
                    "local_address_configured": "updateSource" in peer,
                    "local_port": int(peer.get("portLocal", 0)),
                    "remote_address": address,
                    "remote_port": int(peer.get("portForeign", 0)),
                    "multihop": int(peer.get("externalBgpNbrMaxHopsAway", 1)) > 1,
                    "multipath": False,
                    "remove_private_as": "removePrivateAs" in str(family),
                    "import_policy": _policy(family, "Incoming"),
                    "export_policy": _policy(family, "Outgoing"),
                    "input_messages": int(stats.get("totalRecv", 0)),
                    "output_messages": int(stats.get("totalSent", 0)),
                    "input_updates": int(stats.get("updatesRecv", 0)),
                    "output_updates": int(stats.get("updatesSent", 0)),
                    "messages_queued_out": int(stats.get("depthOutq", 0)),
                    "connection_state": str(peer.get("bgpState", "")),
                    "previous_connection_state": "",
                    "last_event": str(peer.get("lastResetDueTo", "")),
                    "suppress_4byte_as": peer.get("neighborCapabilities", {}).get("4byteAs") is None,
                    "local_as_prepend": "localAsNoPrepend" not in peer and "localAs" in peer,
                    "holdtime": int(peer.get("bgpTimerHoldTimeMsecs", 0)) // 1000,
                    "configured_holdtime": int(peer.get("bgpTimerConfiguredHoldTimeMsecs", 0)) // 1000,
                    "keepalive": int(peer.get("bgpTimerKeepAliveIntervalMsecs", 0)) // 1000,
                    "configured_keepalive": int(peer.get("bgpTimerConfiguredKeepAliveIntervalMsecs", 0))
                    // 1000,
                    "active_prefix_count": accepted,
                    "received_prefix_count": accepted,
                    "accepted_prefix_count": accepted,
                    "suppressed_prefix_count": 0,
                    "advertised_prefix_count": int(family.get("sentPrefixCounter", 0)),
                    "flap_count": int(peer.get("connectionsDropped", 0)),
                }
            )
    return result


def _age(uptime: str) -> int:
    """FRR's route uptime ("00:02:51", "1d02h03m", "2w3d04h") in seconds."""
    if ":" in uptime:
        hours, minutes, seconds = (int(part) for part in uptime.split(":"))
        return hours * 3600 + minutes * 60 + seconds
    units = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)([wdhms])", uptime))


def route_to(routes_json: str, protocol: str = "") -> dict[str, list[models.RouteDict]]:
    """`show ip route <prefix> [longer-prefixes] json` → get_route_to(): one entry per next hop."""
    result: dict[str, list[models.RouteDict]] = {}
    for prefix, routes in load_json(routes_json, "show ip route json").items():
        for route in routes:
            if protocol and route.get("protocol") != protocol:
                continue
            selected = bool(route.get("selected", False))
            for hop in route.get("nexthops", []):
                result.setdefault(prefix, []).append(
                    {
                        "protocol": str(route.get("protocol", "")),
                        "current_active": selected,
                        "last_active": selected,
                        "age": _age(str(route.get("uptime", "0:0:0"))),
                        "next_hop": str(hop.get("ip", "")),
                        "outgoing_interface": str(hop.get("interfaceName", "")),
                        "selected_next_hop": bool(hop.get("fib", False)),
                        "preference": int(route.get("distance", 0)),
                        "inactive_reason": "" if selected else "not selected",
                        "routing_table": str(route.get("vrfName", "default")),
                        "protocol_attributes": {},
                    }
                )
    return result
