"""The scope: one `--site` rule, and a lab target narrowing net, monitor and hosts to what the lab built."""

from pathlib import Path

import pytest

from provdc.core.errors import ProvdcError
from provdc.inventory import load_inventory, load_target
from provdc.inventory.model import Inventory
from provdc.inventory.scope import build_scope, check_glob, matching_sites
from provdc.inventory.targets import Target
from provdc.lab.frr_day0 import LAN_IF, WAN_IF
from provdc.lab.paths import LabPaths
from provdc.lab.state import LabRecord
from provdc.lab.target import write_target
from provdc.lab.topology import build_topology

ACCESS = "devices: {username_ref: 'env:U'}\nsnmp: {auth_key_ref: 'env:A', priv_key_ref: 'env:P'}\n"


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return load_inventory()


@pytest.fixture
def lab_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inv: Inventory) -> Target:
    """The target `lab up` writes for a small lab, with its record present (the lab is up)."""
    monkeypatch.setenv("PROVDC_STATE", str(tmp_path))
    paths = LabPaths(tmp_path / "lab")
    topo = build_topology(inv, "small")
    record = LabRecord.of(topo, 0.0)
    paths.root.mkdir()
    paths.state_file.write_text("{}")
    written = write_target(paths, record, None)
    assert written.stat().st_mode & 0o777 == 0o644
    assert "secret" not in written.read_text().replace("/secrets/", "")
    return load_target("lab")


def test_one_site_rule_id_code_hostname_case_sensitive(inv: Inventory) -> None:
    commune = next(s for s in inv.sites.values() if s.kind == "commune")
    for key in (commune.id, commune.code, commune.router.hostname):
        assert [s.id for s in matching_sites(inv, key)] == [commune.id]
    with pytest.raises(ProvdcError, match="no site matches"):
        matching_sites(inv, commune.id.upper())
    assert {s.kind for s in matching_sites(inv, "com-*")} == {"commune"}
    assert len(matching_sites(inv, None)) == len(inv.sites)


@pytest.mark.parametrize("glob", ["", "  ", "\t"])
def test_empty_glob_is_an_error(glob: str) -> None:
    with pytest.raises(ProvdcError, match="--site: empty glob"):
        check_glob(glob)


def test_production_scope_keeps_each_platform(inv: Inventory) -> None:
    scope = build_scope(inv, load_target("prod"), "dist-*")
    routers = scope.routers()
    assert {r.platform for r in routers} == {s.router.platform for s in inv.sites_of("district")}
    assert {r.hostname for r in routers} == {s.router.hostname for s in inv.sites_of("district")}
    polled = {d.device.name: d for d in scope.devices()}
    assert set(polled) == {s.router.hostname for s in inv.sites_of("district")}
    site = inv.sites_of("district")[0]
    assert polled[site.router.hostname].wan == (site.wan.interface, site.wan.bandwidth_mbps)
    assert len(scope.hosts()) == len(inv.workloads)


def test_lab_scope_is_what_the_lab_built(inv: Inventory, lab_target: Target) -> None:
    topo = build_topology(inv, "small")
    built = {n.name for n in topo.nodes if n.kind == "router"}
    assert lab_target.lab is not None and lab_target.vcenter is None
    scope = build_scope(inv, lab_target)
    routers = scope.routers()
    assert {r.hostname for r in routers} == built & {s.router.hostname for s in inv.sites.values()}
    assert {r.platform for r in routers} == {"frr"}
    assert (lab_target.lab.wan_interface, lab_target.lab.lan_interface) == (WAN_IF, LAN_IF)
    polled = scope.devices()
    assert {d.device.name for d in polled} == {n.name for n in topo.nodes if n.kind in ("router", "pe")}
    assert {d.wan[0] for d in polled if d.wan is not None} == {WAN_IF}
    assert {vm.name for vm in scope.hosts()} == {n.name for n in topo.nodes if n.kind == "host"}
    absent = next(s for s in inv.sites_of("commune") if s.router.hostname not in built)
    with pytest.raises(ProvdcError, match=f"no router of the lab matches '{absent.id}'"):
        build_scope(inv, lab_target, absent.id).routers()


def test_lab_down_is_one_line(inv: Inventory, lab_target: Target, tmp_path: Path) -> None:
    (tmp_path / "lab" / "lab.json").unlink()
    with pytest.raises(ProvdcError, match=r"target lab: the lab is not up \(no .*lab\.json\)"):
        build_scope(inv, lab_target)


def test_bad_lab_block_names_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVDC_STATE", str(tmp_path))
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "odd.yml").write_text(
        f"name: odd\n{ACCESS}lab:\n  record: /x\n  routers: [a]\n  wan_interface: w\n"
        "  lan_interface: l\n  container_like: perhaps\n"
    )
    with pytest.raises(ProvdcError, match=r"odd\.yml:9: lab\.container_like"):
        load_target("odd")
    (tmp_path / "targets" / "old.yml").write_text(f"name: old\n{ACCESS}extra: {{lab_dir: /x}}\n")
    with pytest.raises(ProvdcError, match=r"old\.yml:4: extra: Extra inputs are not permitted"):
        load_target("old")
