"""The 2025 reorganisation on the shipped inventory: plan, apply, validate, nothing moved.

Plan and apply run as the real command line. Expected counts come from the dataset files, read
here with plain `json` and this file's own name folding, never from provdc's planner; the
original model is loaded on its own from the shipped inventory and compared site by site.
"""

import difflib
import json
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from provdc.inventory import default_inventory_path, load_inventory
from provdc.inventory.model import Inventory
from provdc.network.render import render_sites


def _dataset(dist: str, relative: str) -> Any:
    return json.loads(Path(str(metadata.distribution(dist).locate_file(relative))).read_text("utf-8"))


def _fold(text: str) -> str:
    """ASCII letters and digits only, đ as d: how the converter's keys spell names."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if c.isascii() and c.isalnum())


@pytest.fixture(scope="module")
def original() -> Inventory:
    return load_inventory(default_inventory_path())


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, Any]]:
    """(plan file, new inventory folder, plan as YAML data) from the command line."""
    import yaml

    base = tmp_path_factory.mktemp("reorganize")
    plan, out = base / "plan.yml", base / "hai-phong"
    env = {"PROVDC_STATE": str(base / "state")}
    run = _cli("inventory", "reorganize", "plan", "--to", "2025", "--out", str(plan), env=env)
    assert run.returncode == 0, run.stderr
    run = _cli("inventory", "reorganize", "apply", str(plan), "--out", str(out), "--accept-defaults", env=env)
    assert run.returncode == 0, run.stderr
    yield plan, out, yaml.safe_load(plan.read_text("utf-8"))
    shutil.rmtree(base, ignore_errors=True)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os
    import sys

    return subprocess.run(
        [sys.executable, "-m", "provdc", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_the_new_inventory_validates_as_a_process(applied: tuple[Path, Path, Any]) -> None:
    _, out, _ = applied
    run = _cli("inventory", "validate", str(out), "--format", "json")
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["ok"] is True and report["summary"]["commune_sites"] == 235


def test_every_address_prefix_vlan_and_asn_stays(
    original: Inventory, applied: tuple[Path, Path, Any]
) -> None:
    new = load_inventory(applied[1])
    assert set(new.sites) == set(original.sites)
    for site_id, old in original.sites.items():
        now = new.sites[site_id]
        assert now.router.loopback == old.router.loopback, site_id
        assert now.router.mgmt_address == old.router.mgmt_address, site_id
        assert now.router.asn == old.router.asn, site_id
        assert now.wan.network == old.wan.network and now.wan.circuit_id == old.wan.circuit_id, site_id
        assert [(x.role, x.vlan, x.network) for x in now.lans] == [
            (x.role, x.vlan, x.network) for x in old.lans
        ]
        assert now.parent == old.parent, site_id  # the WAN hub is the old district site
    assert [d.mgmt_address for d in new.dc_devices] == [d.mgmt_address for d in original.dc_devices]
    assert [vm.nics for vm in new.workloads] == [vm.nics for vm in original.workloads]


def test_the_province_and_units_are_two_tier(applied: tuple[Path, Path, Any]) -> None:
    new = load_inventory(applied[1])
    day = date(2026, 1, 1)
    provinces = new.units_on(day, "province")
    assert [(u.code, u.name) for u in provinces] == [("31", "Hải Phòng")]
    assert new.units_on(day, "district") == []  # no district level any more
    wards = {u.code: u for u in new.units_on(day, "commune")}
    nested = _dataset("vietnam-provinces", "vietnam_provinces/data/nested-divisions.json")
    hai_phong = next(p for p in nested if p["code"] == 31)
    official = {str(w["code"]): w["name"] for w in hai_phong["wards"]}
    for code, ward in wards.items():
        assert official[code].endswith(" " + ward.name), code
    for site in new.sites_of("commune"):
        unit = site.unit
        assert unit is not None and unit.code in wards and site.membership is not None
        assert site.membership_on(date(2025, 6, 30)) is not None  # its old commune
        assert site.router.hostname.startswith(f"ce-{site.code}-")
    for ward in wards.values():
        seats = [s for s in new.sites_in(ward) if s.membership and s.membership.role == "seat"]
        assert len(seats) <= 1


def test_unmatched_communes_are_the_ones_the_2024_list_lacks(
    original: Inventory, applied: tuple[Path, Path, Any]
) -> None:
    legacy = _dataset("vietnamadminunits", "vietnamadminunits/data/parser_legacy.json")
    wards = legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"]["tinhhaiduong"]
    by_code = {w["wardCode"] for units in wards.values() for w in units.values()}
    by_name = {(d, _fold(w["wardShort"])) for d, units in wards.items() for w in units.values()}
    district_key = {
        s.code: _fold({"thanh-pho": "thanhpho", "thi-xa": "thixa", "huyen": "huyen"}[s.type] + s.name)
        for s in original.sites_of("district")
    }
    expected = {
        s.code
        for s in original.sites_of("commune")
        if s.code not in by_code and (district_key[s.district or ""], _fold(s.name)) not in by_name
    }
    assert len(expected) == 26  # 28 codes gone from the 2024 list; 2 of those found by name
    plan = applied[2]
    assert {u["code"] for u in plan["unmatched"]} == expected
    names = {s.code: s.name for s in original.sites_of("commune")}
    assert all(u["name"] == names[u["code"]] for u in plan["unmatched"])
    assert {d["site"] for d in plan["decisions"] if d["kind"] == "unmatched"} == {
        f"com-{c}" for c in expected
    }


def test_split_units_are_decisions(original: Inventory, applied: tuple[Path, Path, Any]) -> None:
    converter = _dataset("vietnamadminunits", "vietnamadminunits/data/converter_2025.json")
    split = [
        k
        for k in converter["DICT_PROVINCE_WARD_DIVIDED"]["thanhphohaiphong"]
        if k.startswith("tinhhaiduong_")
    ]
    whole = [
        old
        for olds in converter["DICT_PROVINCE_WARD_NO_DIVIDED"]["thanhphohaiphong"].values()
        for old in olds
        if old.startswith("tinhhaiduong_")
    ]
    assert (len(whole), len(split)) == (173, 34)  # as the dataset's documentation says
    plan = applied[2]
    decided = [d for d in plan["decisions"] if d["kind"] == "split"]
    assert len(decided) == 34  # every split unit is one of our sites (the 2024 list is ours minus merges)
    for d in decided:
        assert d["choice"] in d["choices"] and len(d["choices"]) >= 2 and d["confirmed"] is False


def test_router_configs_change_only_in_names(original: Inventory, applied: tuple[Path, Path, Any]) -> None:
    new = load_inventory(applied[1])
    before = {r.site.id: r.text for r in render_sites(original, list(original.sites.values()))}
    after = {r.site.id: r.text for r in render_sites(new, list(new.sites.values()))}
    allowed = re.compile(
        r"(hostname |set system host-name |snmp-server location |set snmp location |"
        r"banner |set system login message |CẢNH BÁO|description |set .* description )"
    )
    for site_id, text in before.items():
        changed = [
            line[2:]
            for line in difflib.ndiff(text.splitlines(), after[site_id].splitlines())
            if line[:2] in ("- ", "+ ")
        ]
        odd = [line for line in changed if not allowed.search(line)]
        assert odd == [], f"{site_id}: {odd[:3]}"


def test_rename_map_and_change_report(original: Inventory, applied: tuple[Path, Path, Any]) -> None:
    out = applied[1]
    renames = json.loads((out / "reorganize-renames.json").read_text("utf-8"))
    new = load_inventory(out)
    for site in original.sites.values():
        old_name, new_name = site.router.hostname, new.sites[site.id].router.hostname
        assert renames.get(old_name, old_name) == new_name
    report = json.loads((out / "reorganize-changes.json").read_text("utf-8"))
    assert report["vms"] == []
    assert len(report["routers"]) == len(original.sites)  # the banner names the province on every router
    assert report["ansible_hosts_renamed"] == len(renames)


def _edited(plan: Path, tmp: Path, old: str, new: str) -> Path:
    text = plan.read_text("utf-8")
    assert old in text
    path = tmp / "edited.yml"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("plan: reorganize", "plan: reorganize\nextra: 1", "extra: Extra inputs are not permitted"),
        ('  name: "Hải Phòng"', '  name: "Hải\\u202ePhòng"', "RIGHT-TO-LEFT OVERRIDE"),
        ("seat: com-10510", "seat: com-10507", "already in unit"),
        ("seat: com-10510", "seat: null", "service points but no seat"),
        ('name: "Thành Đông"', 'name: "Thành Tây"', "in vietnam-provinces"),
        ("units:", "units: &a\n  - x\nunused: *a\nold:", "anchor"),
        ("effective: 2025-07-01", 'effective: "2025-07-01"', "effective"),
        ("to: 2025", "to: 2026", "to:"),
    ],
)
def test_hostile_plans_are_one_line_refusals(
    applied: tuple[Path, Path, Any], tmp_path: Path, old: str, new: str, message: str
) -> None:
    plan = _edited(applied[0], tmp_path, old, new)
    out = tmp_path / "out"
    run = _cli("inventory", "reorganize", "apply", str(plan), "--out", str(out), "--accept-defaults")
    assert run.returncode != 0
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert message in run.stderr, run.stderr
    assert not out.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_unconfirmed_decisions_and_existing_folders_are_refused(
    applied: tuple[Path, Path, Any], tmp_path: Path
) -> None:
    plan = applied[0]
    out = tmp_path / "out"
    run = _cli("inventory", "reorganize", "apply", str(plan), "--out", str(out))
    assert run.returncode == 1 and "is not confirmed" in run.stderr and not out.exists()
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    run = _cli("inventory", "reorganize", "apply", str(plan), "--out", str(out), "--accept-defaults")
    assert run.returncode == 1 and "--force" in run.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    run = _cli(
        "inventory", "reorganize", "apply", str(plan), "--out", str(out), "--accept-defaults", "--force"
    )
    assert run.returncode == 0, run.stderr
    backups = [p for p in tmp_path.iterdir() if p.name.startswith("out.bak-")]
    assert len(backups) == 1 and (backups[0] / "keep.txt").read_text() == "mine"
    assert (out / "communes.yml").is_file() and not (out / "keep.txt").exists()
