"""`provdc inventory merge A B --out DIR`: two provinces' networks as one inventory.

For Hải Phòng after 2025: old Hải Phòng's network and old Hải Dương's. Nothing moves: the first
inventory stays as it is, the second's WAN sites (districts and communes) join it under the
second's own address plan, kept whole in `address_plans` (each such site says `plan: NAME`), and
its carrier PEs join the carrier. The second's data centers, agencies and VMs are not merged (the
first's DC serves both; agencies of one city are one). Before anything is written, every overlap
between the two plans is found and the merge refused with each overlap named.
"""

import json
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path

from provdc.core.errors import ProvdcError
from provdc.inventory.loader import check_inventory, load_inventory
from provdc.inventory.model import Inventory, IpamPlan, Site
from provdc.inventory.staging import discard, refuse_existing, stage_files, swap_in, tree_files
from provdc.inventory.yaml_edit import append_provider_edges

SHOWN = 5  # overlaps named in the one-line refusal; all are in MergeRefused.overlaps


class MergeRefused(ProvdcError):
    def __init__(self, overlaps: list[str]) -> None:
        more = f" (and {len(overlaps) - SHOWN} more)" if len(overlaps) > SHOWN else ""
        super().__init__(f"merge refused: {len(overlaps)} overlap(s): " + "; ".join(overlaps[:SHOWN]) + more)
        self.overlaps = overlaps


def _wan_sites(inv: Inventory) -> list[Site]:
    return [s for s in inv.sites.values() if s.kind in ("district", "commune")]


def _pools(inv: Inventory) -> list[tuple[str, IPv4Network]]:
    pools = [(f"{inv.province.name} ipam.{n}", net) for n, net in inv.ipam.pools()]
    for name, plan in inv.address_plans.items():
        pools += [(f"{inv.province.name} address_plans[{name}].{n}", net) for n, net in plan.pools()]
    return pools


def _networks(sites: list[Site]) -> list[tuple[IPv4Network, str]]:
    out = []
    for s in sites:
        out.append((IPv4Network(s.router.loopback), f"loopback of {s.id}"))
        out.append((s.wan.network, f"WAN of {s.id}"))
        out += [(lan.network, f"{lan.role} LAN of {s.id}") for lan in s.lans]
    return out


def overlaps(a: Inventory, b: Inventory) -> list[str]:
    """Everything of B's that would collide with A's: pools, addresses, ASNs, names, circuits."""
    found: list[str] = []
    for name, net in _pools(b):
        found += [f"{name} {net} overlaps {other} {onet}" for other, onet in _pools(a) if net.overlaps(onet)]
    mine = _networks(list(a.sites.values()))
    for net, what in _networks(_wan_sites(b)):
        found += [
            f"{b.province.name} {what} {net} overlaps {a.province.name} {owhat} {onet}"
            for onet, owhat in mine
            if net.overlaps(onet)
        ]
    asns = {s.router.asn: s.id for s in a.sites.values()}
    found += [
        f"ASN {s.router.asn} of {b.province.name} {s.id} is {a.province.name} {asns[s.router.asn]}'s"
        for s in _wan_sites(b)
        if s.router.asn in asns
    ]
    ids = {s.id for s in a.sites.values()}
    hostnames = {s.router.hostname for s in a.sites.values()} | {d.name for d in a.dc_devices}
    circuits = {s.wan.circuit_id for s in a.sites.values()}
    for s in _wan_sites(b):
        if s.id in ids:
            found.append(f"site {s.id} is in both")
        if s.router.hostname in hostnames:
            found.append(f"hostname {s.router.hostname} is in both")
        if s.wan.circuit_id in circuits:
            found.append(f"circuit {s.wan.circuit_id} is in both")
    pe_names = {pe.name: pe for pe in a.provider_edges.values()}
    pe_addresses = {pe.loopback: pe.name for pe in a.provider_edges.values()}
    for pe in b.provider_edges.values():
        same = pe_names.get(pe.name)
        if same is not None and same.loopback != pe.loopback:
            found.append(f"PE {pe.name} is {same.loopback} in one and {pe.loopback} in the other")
        elif same is None and pe.loopback in pe_addresses:
            found.append(f"PE loopback {pe.loopback} of {pe.name} is {pe_addresses[pe.loopback]}'s")
        if pe.asn != next(iter(a.provider_edges.values())).asn:
            found.append(f"PE {pe.name} is in carrier ASN {pe.asn}, not the first inventory's carrier")
    return found


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _plan_yaml(name: str, province: str, plan: IpamPlan) -> list[str]:
    vlans = ", ".join(f"{k}: {v}" for k, v in plan.site_vlans.items())
    return [
        f"  - name: {name}",
        f"    province: {_q(province)}",
        *[f"    {pool}: {net}" for pool, net in plan.pools()],
        f"    asn_base: {plan.asn_base}",
        f"    site_vlans: {{{vlans}}}",
        f"    district_code_base: {plan.district_code_base}",
        f"    commune_code_base: {plan.commune_code_base}",
    ]


def _site_yaml(s: Site, plan: str) -> list[str]:
    lines = [f"  - code: {_q(s.code)}", f"    name: {_q(s.name)}", f"    type: {s.type}"]
    if s.kind == "commune":
        lines.append(f"    district: {_q(s.district or '')}")
    r, w = s.router, s.wan
    lines += [
        f"    circuit_id: {w.circuit_id}",
        f"    bandwidth_mbps: {w.bandwidth_mbps}",
        f"    vc_endpoints: {s.vc_endpoints}",
        f"    platform: {r.platform}",
        f"    model: {_q(r.model)}",
        f"    routing: {w.routing}",
        f"    pe: {w.pe}",
        f"    plan: {plan}",
    ]
    if s.kind == "commune" and s.lan("camera") is not None:
        lines.append("    camera: true")
    return lines


def merged_yaml(b: Inventory) -> str:
    """The second province's WAN sites and address plan, as one file of the merged inventory."""
    name = f"province-{b.province.code.lower()}"
    sites = _wan_sites(b)
    lines = [
        f"# {b.province.name} ({b.province.code}), merged by `provdc inventory merge`: its WAN sites keep",
        f"# the addresses of its own plan ({name}). Names are kept exactly (UTF-8, NFC).",
        "address_plans:",
        *_plan_yaml(name, b.province.code, b.ipam),
        "districts:",
        *[line for s in sites if s.kind == "district" for line in _site_yaml(s, name)],
        "communes:",
        *[line for s in sites if s.kind == "commune" for line in _site_yaml(s, name)],
    ]
    return "\n".join(lines) + "\n"


@dataclass
class Merged:
    out: Path
    backup: Path | None
    sites: int
    added: int
    pes: int

    def __str__(self) -> str:
        backup = f"; the folder that was there is in {self.backup}" if self.backup else ""
        return f"{self.sites} sites ({self.added} from the second inventory, {self.pes} PEs added){backup}"


def merge_inventories(first: Path, second: Path, out: Path, force: bool = False) -> Merged:
    for given in (first, second):
        if Path(out).resolve() == given.resolve() or given.resolve().is_relative_to(Path(out).resolve()):
            raise ProvdcError(f"{out}: would replace an inventory being merged; give another folder")
    a, b = load_inventory(first), load_inventory(second)
    if a.province.code == b.province.code:
        raise ProvdcError(f"merge: both inventories are province {a.province.code}")
    found = overlaps(a, b)
    if found:
        raise MergeRefused(found)
    files = tree_files(first)
    new_pes = [pe for pe in b.provider_edges.values() if pe.name not in a.provider_edges]
    files = append_provider_edges(first, files, [(pe.name, str(pe.loopback)) for pe in new_pes])
    name = f"merged-{b.province.code.lower()}.yml"
    if Path(name) in files:
        raise ProvdcError(f"merge: the first inventory already has a file {name}")
    files[Path(name)] = merged_yaml(b).encode("utf-8")
    refuse_existing(out, force)
    stage = stage_files(out, files)
    result = check_inventory(stage)
    if not result.ok:
        discard(stage)
        first_problem = result.problems[0] if result.problems else "not valid"
        raise ProvdcError(f"merge: the merged inventory would not be valid: {first_problem}")
    backup = swap_in(stage, out, force)
    return Merged(out, backup, len(a.sites) + len(_wan_sites(b)), len(_wan_sites(b)), len(new_pes))
