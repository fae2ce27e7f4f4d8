"""The lab's plan from the inventory: which nodes, their names and addresses (no lab needed)."""

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from provdc.core.errors import ProvdcError
from provdc.inventory import load_inventory
from provdc.inventory.model import Inventory
from provdc.lab import frr_day0
from provdc.lab.lifecycle import router_config
from provdc.lab.plumbing import host_port
from provdc.lab.topology import build_topology


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return load_inventory()


def test_small_is_pes_dc_core_districts_two_communes_each_and_six_hosts(inv: Inventory) -> None:
    topo = build_topology(inv, "small")
    kinds = [
        inv.sites[n.site].kind
        for n in topo.nodes
        if n.kind == "router" and n.site in inv.sites and n.name == inv.sites[n.site].router.hostname
    ]
    assert kinds.count("district") == 12
    assert kinds.count("commune") == 24
    assert kinds.count("dc") == 1
    assert {n.name for n in topo.nodes if n.kind == "pe"} == set(inv.provider_edges)
    assert len([n for n in topo.nodes if n.kind == "host"]) == 6
    # the DC core devices of the inventory are there too
    assert {d.name for d in inv.dc_devices if d.role == "core"} <= {n.name for n in topo.nodes}
    for district in (s for s in inv.sites_of("district")):
        assert sum(1 for s in topo.ce_sites if s.parent == district.id) == 2


def test_full_has_every_site_and_every_vm(inv: Inventory) -> None:
    topo = build_topology(inv, "full")
    assert {s.id for s in topo.ce_sites} == set(inv.sites)
    assert {n.name for n in topo.nodes if n.kind == "host"} == {vm.name for vm in inv.workloads}


def test_district_scale_has_every_commune_of_that_district(inv: Inventory) -> None:
    topo = build_topology(inv, "district", "290")
    in_lab = {s.id for s in topo.ce_sites}
    assert {s.id for s in inv.sites_of("commune") if s.parent == "dist-290"} <= in_lab
    with pytest.raises(ProvdcError, match="no such district"):
        build_topology(inv, "district", "999")


def test_addresses_are_the_inventory_addresses(inv: Inventory) -> None:
    topo = build_topology(inv, "full")
    for n in topo.nodes:
        if n.kind == "pe":
            assert n.mgmt_address == inv.provider_edges[n.name].loopback
        elif n.kind == "host":
            assert n.mgmt_address == next(vm for vm in inv.workloads if vm.name == n.name).nics[0].ip
        elif n.site in inv.sites and inv.sites[n.site].router.hostname == n.name:
            assert n.mgmt_address == inv.sites[n.site].router.mgmt_address
    addresses = [n.mgmt_address for n in topo.nodes]
    assert len(set(addresses)) == len(addresses)
    assert topo.mgmt_source in inv.services.management_networks[0]
    assert topo.mgmt_source not in addresses


def test_names_fit_linux_interface_names(inv: Inventory) -> None:
    topo = build_topology(inv, "full")
    for n in topo.nodes:
        assert n.namespace.startswith("pdc-") and n.namespace.isascii()
        for ifname in (n.mgmt_veth, n.short, host_port(n)):
            assert len(ifname) <= 15, ifname
    assert len({n.short for n in topo.nodes}) == len(topo.nodes)


def test_unknown_scale_is_one_clear_error(inv: Inventory) -> None:
    with pytest.raises(ProvdcError, match="choose one of small, district, full"):
        build_topology(inv, "huge")  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("vtysh") is None, reason="FRR's vtysh is not installed")
def test_day0_configs_are_valid_frr(inv: Inventory, tmp_path: Path) -> None:
    """FRR's own parser (vtysh --dryrun) accepts every kind of day-0 config."""
    topo = build_topology(inv, "small")
    chosen = {
        n.kind + ("-dev" if n.site == "dc" and n.short != "dc" else ""): n
        for n in topo.nodes
        if n.kind != "host"
    }
    for key, node in chosen.items():
        conf = tmp_path / f"{key}.conf"
        conf.write_text(router_config(inv, topo, node), encoding="utf-8")
        proc = subprocess.run(
            ["vtysh", "--dryrun", "-f", str(conf)], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, (key, proc.stdout, proc.stderr)


def test_ce_day0_peers_with_its_pe_as_the_inventory_says(inv: Inventory) -> None:
    site = inv.sites["com-10507"]
    pe = inv.provider_edges[site.wan.pe]
    text = frr_day0.ce_config(site, pe)
    assert f"router bgp {site.router.asn}" in text
    assert f"neighbor {site.wan.pe_address} remote-as {pe.asn}" in text
    assert f"ip address {site.wan.ce_address}/30" in text
    for lan in site.lans:
        assert f"network {lan.network}" in text


@pytest.mark.skipif(shutil.which("vtysh") is None, reason="FRR's vtysh is not installed")
def test_static_sites_get_a_default_route_and_pe_routes_back(inv: Inventory, tmp_path: Path) -> None:
    """A site the inventory routes statically: CE default to its PE, PE routes to its LANs."""
    site = inv.sites["com-10507"]
    static = replace(site, wan=replace(site.wan, routing="static"))
    changed = replace(inv, sites={**inv.sites, site.id: static})
    topo = build_topology(changed, "small")
    ce = frr_day0.ce_config(static, inv.provider_edges[site.wan.pe])
    assert f"ip route 0.0.0.0/0 {site.wan.pe_address}" in ce and "router bgp" not in ce
    pe = frr_day0.pe_config(inv.provider_edges[site.wan.pe], topo, changed)
    for lan in site.lans:
        assert f"ip route {lan.network} {site.wan.ce_address}" in pe
    assert f"neighbor {site.wan.ce_address} remote-as" not in pe
    for name, text in (("ce", ce), ("pe", pe)):
        conf = tmp_path / f"{name}.conf"
        conf.write_text(text, encoding="utf-8")
        proc = subprocess.run(
            ["vtysh", "--dryrun", "-f", str(conf)], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, (name, proc.stdout)
