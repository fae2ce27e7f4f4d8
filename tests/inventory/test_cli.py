"""The inventory command line as users and CI run it: validate, show, add-site, export, graph."""

import json
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from provdc.inventory import load_inventory


def test_validate_json_on_the_shipped_inventory(provdc_cli: Any) -> None:
    run = provdc_cli("inventory", "validate", "--format", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["ok"] is True and report["errors"] == []
    assert report["summary"]["sites"] >= 266
    assert report["summary"]["vms"] >= 40


def test_validate_junit_for_ci(inventory_copy: Path, provdc_cli: Any) -> None:
    text = (inventory_copy / "communes.yml").read_text(encoding="utf-8")
    (inventory_copy / "communes.yml").write_text(text.replace("bandwidth_mbps: 40", "bandwidth_mbps: -1", 1))
    out = inventory_copy.parent / "report.xml"
    run = provdc_cli("inventory", "validate", str(inventory_copy), "--format", "junit", "-o", str(out))
    assert run.returncode == 1
    suite = ET.parse(out).getroot()
    failures = suite.findall(".//failure")
    assert suite.get("failures") == "1" and len(failures) == 1
    assert "communes.yml" in failures[0].get("message", "")
    assert int(suite.get("tests", "0")) >= 8  # one case per inventory file, plus cross-file checks


def test_show_a_commune(provdc_cli: Any) -> None:
    run = provdc_cli("inventory", "show", "10660", "--format", "json")
    assert run.returncode == 0, run.stderr
    site = json.loads(run.stdout)
    assert site["name"] == "Ái Quốc" and site["parent"] == "dist-288"
    assert site["router"]["hostname"] == "ce-10660-ai-quoc"
    assert {lan["role"] for lan in site["lans"]} >= {"office", "vc", "mgmt"}


def test_add_site_gives_new_addresses_and_moves_nothing(inventory_copy: Path, provdc_cli: Any) -> None:
    before = load_inventory(inventory_copy)
    run = provdc_cli(
        "inventory",
        "add-site",
        "-i",
        str(inventory_copy),
        "--code",
        "11300",
        "--name",
        "Xã Tân Kỳ Mới",
        "--type",
        "xa",
        "--district",
        "298",
        "--circuit-id",
        "VNPT-HDG-C11300",
        "--format",
        "json",
    )
    assert run.returncode == 0, run.stderr
    added = json.loads(run.stdout)
    assert added["site"]["id"] == "com-11300" and added["site"]["name"] == "Xã Tân Kỳ Mới"
    assert Path(added["backup"]).is_file()
    after = load_inventory(inventory_copy)
    assert len(after.sites) == len(before.sites) + 1
    for sid, site in before.sites.items():
        assert after.sites[sid] == site, f"{sid} moved"
    new = after.sites["com-11300"]
    assert new.router.hostname == "ce-11300-xa-tan-ky-moi"
    taken = {s.wan.network for s in before.sites.values()}
    assert new.wan.network not in taken


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--code", "10507", "--name", "Trùng", "--type", "xa", "--district", "288"], "already defined"),
        (["--code", "11999", "--name", "Ngoài", "--type", "xa", "--district", "288"], "outside the plan"),
        (
            ["--code", "11301", "--name", "Lạc", "--type", "xa", "--district", "999"],
            "is not in the inventory",
        ),
    ],
)
def test_add_site_refuses_and_writes_nothing(
    inventory_copy: Path, provdc_cli: Any, args: list[str], message: str
) -> None:
    communes = inventory_copy / "communes.yml"
    original = communes.read_bytes()
    run = provdc_cli("inventory", "add-site", "-i", str(inventory_copy), "--circuit-id", "X-1", *args)
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and message in run.stderr
    assert communes.read_bytes() == original


def test_export_is_an_ansible_dynamic_inventory(tmp_path: Path, provdc_cli: Any) -> None:
    """ansible-inventory itself reads our export through an inventory script."""
    ansible_inventory = shutil.which("ansible-inventory", path=str(Path(__import__("sys").executable).parent))
    assert ansible_inventory, "ansible-core is a dev dependency"
    script = tmp_path / "provdc-inventory"
    script.write_text(
        f'#!/bin/sh\nexec {__import__("sys").executable} -m provdc inventory export ansible "$@"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    run = subprocess.run(
        [ansible_inventory, "-i", str(script), "--list"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    seen = json.loads(run.stdout)
    inv = load_inventory()
    vm_hosts = {vm.name for vm in inv.workloads}
    assert set(seen["database"]["hosts"]) == {vm.name for vm in inv.workloads if vm.group == "database"}
    assert vm_hosts <= set(seen["_meta"]["hostvars"])
    # ansible-inventory re-emits our strings as unsafe: it read them as values never to template
    assert seen["_meta"]["hostvars"]["db-01"]["ansible_host"] == {"__ansible_unsafe": "10.30.5.11"}
    routers = {s.router.hostname for s in inv.sites.values()}
    listed = {h for g in seen["routers"]["children"] for h in seen[g]["hosts"]}
    assert listed == routers


def test_graph_svg_has_every_site(tmp_path: Path, provdc_cli: Any) -> None:
    out = tmp_path / "topology.svg"
    run = provdc_cli("inventory", "graph", "--out", str(out))
    assert run.returncode == 0, run.stderr
    svg = ET.parse(out).getroot()
    titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
    inv = load_inventory()
    assert set(inv.sites) <= titles
    assert set(inv.provider_edges) <= titles


def test_graph_unknown_format(tmp_path: Path, provdc_cli: Any) -> None:
    run = provdc_cli("inventory", "graph", "--out", str(tmp_path / "t.gif"))
    assert run.returncode == 1 and "unknown picture format" in run.stderr
