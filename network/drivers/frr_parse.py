"""FRR's own output (vtysh `show ... json`, frr-reload.py --test) into NAPALM's structures.

Pure functions: the contract tests feed them output recorded from FRR, and the live tests feed
them the same commands' output from the lab routers.
"""

import json
import re
from typing import Any

from napalm.base import models  # type: ignore[import-untyped]

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
            "mac_address": item.get("hardwareAddress", ""),
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
