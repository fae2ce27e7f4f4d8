"""The shipped Hải Dương inventory against the province's own lists and the plan's promises."""

import csv
import dataclasses
import unicodedata
from ipaddress import IPv4Network
from pathlib import Path
from typing import get_args

import pytest
import yaml

from provdc.inventory import Inventory, default_inventory_path, load_inventory
from provdc.inventory.model import LanRole, SiteLanRole
from provdc.inventory.naming import HOSTNAME_RE, slugify
from provdc.inventory.platforms import DevicePlatform, Platform

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return load_inventory()


def test_every_site_of_the_province_is_there(inv: Inventory) -> None:
    s = inv.summary()
    assert s["sites"] >= 266
    assert (s["dc_sites"], s["dr_sites"], s["district_sites"], s["commune_sites"]) == (1, 1, 12, 235)
    assert len([a for a in inv.sites_of("agency") if a.type == "department"]) == 18


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="the province's data files are not beside the clone")
def test_names_and_codes_match_the_official_list(inv: Inventory) -> None:
    rows = list(csv.DictReader((SHARED_DATA / "hai-duong-admin-units.csv").open(encoding="utf-8")))
    official = {(r["level"], r["code"]): r["name"] for r in rows if r["level"] != "province"}
    ours = {(s.kind, s.code): s.name for s in inv.sites.values() if s.kind in ("district", "commune")}
    assert ours == official
    parents = {r["code"]: r["parent_code"] for r in rows if r["level"] == "commune"}
    assert all(s.parent == f"dist-{parents[s.code]}" for s in inv.sites_of("commune"))


def test_names_are_nfc_and_hostnames_ascii_and_unique(inv: Inventory) -> None:
    names = [s.name for s in inv.sites.values()]
    assert all(unicodedata.normalize("NFC", n) == n for n in names)
    assert len(set(names)) < len(names)  # names repeat across districts…
    hostnames = [s.router.hostname for s in inv.sites.values()]
    assert len(set(hostnames)) == len(hostnames)  # …hostnames do not
    assert all(HOSTNAME_RE.match(h) and h.isascii() for h in hostnames)
    assert inv.sites["com-10507"].router.hostname == "ce-10507-cam-thuong"


def test_slugify_vietnamese() -> None:
    assert slugify("Phường Đồng Lạc") == "phuong-dong-lac"
    assert slugify("Thị trấn Kẻ Sặt") == "thi-tran-ke-sat"
    assert slugify("Xã Hưng Đạo") == "xa-hung-dao"


def test_plan_addresses_follow_the_codes(inv: Inventory) -> None:
    """Worked by hand from docs/ipam.md: commune 10507 is slot 128+7=135."""
    site = inv.sites["com-10507"]
    assert site.slot == 135
    assert str(site.router.loopback) == "10.30.240.135"
    assert site.wan.network == IPv4Network("10.30.226.28/30")  # 10.30.224.0 + 135*4
    assert site.router.asn == 4200030135
    office, dist_office = site.lan("office"), inv.sites["dist-288"].lan("office")
    assert office is not None and dist_office is not None
    assert office.network == IPv4Network("10.32.3.128/26")  # 10.32.0.0 + 7*128
    assert office.vlan == 20
    assert dist_office.network == IPv4Network("10.30.64.0/25")


def test_every_site_has_a_router_and_a_wan_link_to_a_known_pe(inv: Inventory) -> None:
    for site in inv.sites.values():
        assert site.router.hostname and site.wan.circuit_id
        assert site.wan.pe in inv.provider_edges
        assert site.wan.ce_address in site.wan.network and site.wan.pe_address in site.wan.network


def test_datacenter_workloads_and_vsphere(inv: Inventory) -> None:
    assert len(inv.workloads) >= 40
    services = {vm.service for vm in inv.workloads}
    for needed in (
        "LGSP",
        "Public-service portal",
        "One-stop",
        "Document management",
        "e-portal",
        "Open-data",
        "Intelligent Operations Center",
        "SOC log collector",
        "Video-conference MCU",
        "Shared PostgreSQL",
        "Backup",
        "NTP and DNS",
    ):
        assert any(needed in s for s in services), needed
    assert {d.tier for d in inv.vsphere.datastores} == {"fast", "capacity"}
    pg = {p.name: p for p in inv.vsphere.port_groups}
    assert pg["pg-db"].vlan == 105 and pg["pg-db"].network == IPv4Network("10.30.5.0/24")
    roles = {d.role for d in inv.dc_devices}
    assert {"core", "firewall", "switch", "esxi", "storage", "ups"} <= roles


def test_the_ipam_plan_is_in_the_model_as_written(inv: Inventory) -> None:
    written = yaml.safe_load((default_inventory_path() / "province.yml").read_text(encoding="utf-8"))["ipam"]
    plan = inv.ipam
    assert {name: str(net) for name, net in plan.pools()} == {
        k: v
        for k, v in written.items()
        if k not in ("asn_base", "site_vlans", "district_code_base", "commune_code_base")
    }
    assert plan.asn_base == written["asn_base"]
    assert (plan.district_code_base, plan.commune_code_base) == (
        written["district_code_base"],
        written["commune_code_base"],
    )
    assert dict(plan.site_vlans) == written["site_vlans"]


def test_the_model_is_read_only(inv: Inventory) -> None:
    for mapping in (inv.sites, inv.provider_edges, inv.thresholds, inv.ipam.site_vlans):
        with pytest.raises(TypeError):
            mapping["new"] = None  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        inv.sites["dc"].router.platform = "frr"  # type: ignore[misc]
    assert "hostname" not in {f.name for f in dataclasses.fields(inv.workloads[0])}


def test_platforms_and_lan_roles_stay_in_their_vocabulary(inv: Inventory) -> None:
    assert {s.router.platform for s in inv.sites.values()} <= set(get_args(Platform))
    assert {d.platform for d in inv.devices()} <= set(get_args(DevicePlatform))
    roles = {lan.role for s in inv.sites.values() for lan in s.lans}
    assert roles <= set(get_args(LanRole))
    assert {lan.role for s in inv.sites.values() if s.kind == "commune" for lan in s.lans} <= set(
        get_args(SiteLanRole)
    )
