"""`monitor export prometheus` checked by Prometheus's own tools: promtool and a real server.

promtool validates every prometheus.yml and the rules, and runs the rule unit tests of
rules_tests/ (each alert pending, firing, cleared). A real Prometheus per shard shows that the
hashmod relabels split the devices into disjoint shards that together hold every device. Labels
are compared with the province's official list (the shared CSV), not with the inventory code.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from admin_units import ADMIN_UNITS, official_names
from exporter_agent import EXPORTER, start_exporter
from snmp_agents import Snmpd, net_snmp
from tests_cli import Cli

from provdc.inventory import load_inventory
from provdc.inventory.model import SnmpSettings
from provdc.lab import prometheus
from provdc.monitoring.snmp_exporter_config import exporter_config

RULES_TESTS = Path(__file__).parent / "rules_tests"

pytestmark = pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool (Debian prometheus) missing"
)


def _promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["promtool", *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


def _export(provdc_cli: Cli, out: Path, *extra: str) -> None:
    done = provdc_cli("monitor", "export", "prometheus", "--out", str(out), *extra)
    assert done.returncode == 0, done.stderr


def _groups(out: Path) -> list[dict[str, Any]]:
    groups: list[dict[str, Any]] = json.loads((out / "targets" / "snmp.json").read_text(encoding="utf-8"))
    return groups


@pytest.mark.parametrize("shards", [1, 3])
def test_export_passes_promtool(provdc_cli: Cli, tmp_path: Path, shards: int) -> None:
    _export(provdc_cli, tmp_path, "--shards", str(shards))
    configs = sorted(tmp_path.glob("prometheus*.yml"))
    assert len(configs) == shards
    for config in configs:
        done = _promtool("check", "config", config.name, cwd=tmp_path)
        assert done.returncode == 0, done.stdout + done.stderr
    done = _promtool("check", "rules", "alert_rules.yml", cwd=tmp_path)
    assert done.returncode == 0 and "SUCCESS: 11 rules found" in done.stdout, done.stdout + done.stderr


def test_every_alert_fires_and_clears(provdc_cli: Cli, tmp_path: Path) -> None:
    _export(provdc_cli, tmp_path)
    tests = sorted(RULES_TESTS.glob("*.yml"))
    assert tests
    for test in tests:
        shutil.copy(test, tmp_path / test.name)
    done = _promtool("test", "rules", *(t.name for t in tests), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    rules = yaml.safe_load((tmp_path / "alert_rules.yml").read_text(encoding="utf-8"))
    tested = {
        line.split("alertname:")[1].split(",")[0].strip()
        for t in tests
        for line in t.read_text().splitlines()
        if "alertname:" in line
    }
    exported = {r["alert"] for g in rules["groups"] for r in g["rules"]}
    assert exported == tested  # no exported alert without a unit test


@pytest.mark.skipif(not ADMIN_UNITS.is_file(), reason="the shared admin-units list is not here")
def test_targets_label_every_device_with_its_official_names(provdc_cli: Cli, tmp_path: Path) -> None:
    _export(provdc_cli, tmp_path)
    groups = _groups(tmp_path)
    inv = load_inventory()
    vms = [vm.name for vm in inv.workloads if vm.group == "video_conference"]
    assert sorted(g["labels"]["device"] for g in groups) == sorted([d.name for d in inv.devices()] + vms)
    official = official_names()
    communes = [g["labels"] for g in groups if g["labels"]["kind"] == "commune"]
    assert len(communes) == 235
    for labels in communes:
        code = labels["site"].removeprefix("com-")
        assert labels["name"] == official[code], labels
    by_device = {g["labels"]["device"]: g for g in groups}
    cam_thuong = by_device["ce-10507-cam-thuong"]
    assert cam_thuong["labels"]["district"] == official["288"] == "Hải Dương"
    assert cam_thuong["targets"] == ["10.30.240.135"]  # docs/ipam.md: loopbacks + slot 128 + (10507 - 10500)
    assert by_device["mcu-01"]["labels"]["role"] == "mcu"
    assert by_device["dc-nas-1"]["labels"]["__param_module"] == "provdc_netapp"  # its snmp_profile
    assert by_device["dc-nas-1"]["labels"]["__param_auth"] == "provdc_v3"


HOSTILE = "Xã \"Mới\": {{ .x }} & 'đ' #1 - [a], *b* % @ ! \\ / ---"


def test_hostile_names_stay_data(provdc_cli: Cli, inventory_copy: Path, tmp_path: Path) -> None:
    communes = inventory_copy / "communes.yml"
    text = communes.read_text(encoding="utf-8")
    hostile = json.dumps(HOSTILE, ensure_ascii=False)  # a YAML double-quoted scalar
    communes.write_text(text.replace('"Cẩm Thượng"', hostile, 1), encoding="utf-8")
    out = tmp_path / "out"
    _export(provdc_cli, out, "--inventory", str(inventory_copy), "--shards", "2")
    names = {g["labels"]["site"]: g["labels"]["name"] for g in _groups(out)}
    assert names["com-10507"] == HOSTILE
    for config in sorted(out.glob("prometheus*.yml")):
        done = _promtool("check", "config", config.name, cwd=out)
        assert done.returncode == 0, done.stdout + done.stderr


def test_bad_input_is_one_line(provdc_cli: Cli, tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    for args, word in (
        (["--out", str(tmp_path / "o"), "--shards", "0"], "--shards"),
        (["--out", str(a_file)], "not a folder"),
        (["--out", str(tmp_path / "o"), "--serve", "nowhere"], "--serve"),
        (["--out", str(tmp_path / "o"), "--scrape-interval", "nan"], "--scrape-interval"),
    ):
        done = provdc_cli("monitor", "export", "prometheus", *args)
        assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
        assert word in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus (Debian) missing")
def test_shards_split_the_devices_in_real_prometheus(provdc_cli: Cli, tmp_path: Path) -> None:
    """Each shard's Prometheus keeps its devices after relabelling; together, every device once."""
    shards = 3
    _export(provdc_cli, tmp_path, "--shards", str(shards))
    servers = []
    try:
        for k in range(shards):
            servers.append(prometheus.start(tmp_path / f"prometheus-{k}.yml", tmp_path / f"run-{k}"))
        kept: list[set[str]] = []
        for server in servers:
            deadline = time.monotonic() + 20
            active: list[dict[str, Any]] = []
            while time.monotonic() < deadline:
                data = server.api("targets", state="active")
                active = [t for t in data["activeTargets"] if t["labels"]["job"] == "snmp"]
                if active:
                    break
                time.sleep(0.2)
            kept.append({t["labels"]["device"] for t in active})
    finally:
        for server in servers:
            server.stop()
    every = {g["labels"]["device"] for g in _groups(tmp_path)}
    assert all(kept) and sum(len(k) for k in kept) == len(every)
    assert set().union(*kept) == every


@pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus (Debian) missing")
def test_snmp_job_scrapes_a_device_through_snmp_exporter(
    provdc_cli: Cli, snmpd: Snmpd, tmp_path: Path
) -> None:
    """The exported snmp job, its file_sd labels and module/auth params, with a real snmp_exporter
    (snmp.yml from snmp_exporter_config) and a real Prometheus, against snmpd over SNMPv3.

    The one target kept is the DR router's group with its address pointed at the test's snmpd.
    """
    if not EXPORTER.exists():
        pytest.skip(f"no snmp_exporter at {EXPORTER}")
    settings = SnmpSettings(snmpd.user, "SHA", "AES", "file:auth", "file:priv")
    env = {"PROVDC_SNMP_AUTH_KEY": snmpd.auth_key, "PROVDC_SNMP_PRIV_KEY": snmpd.priv_key}
    exporter = start_exporter(exporter_config(settings, profiles=["net-snmp"]), env)
    server = None
    try:
        _export(
            provdc_cli, tmp_path, "--scrape-interval", "1", "--snmp-exporter", f"127.0.0.1:{exporter.port}"
        )
        dr = next(g for g in _groups(tmp_path) if g["labels"]["device"] == "dr-core-1")
        assert dr["labels"]["__param_module"] == "provdc_net_snmp"
        dr["targets"] = [f"127.0.0.1:{snmpd.port}"]
        (tmp_path / "targets" / "snmp.json").write_text(
            json.dumps([dr], ensure_ascii=False), encoding="utf-8"
        )
        server = prometheus.start(tmp_path / "prometheus.yml", tmp_path / "run")
        deadline = time.monotonic() + 30
        up: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not up:
            up = server.api("query", query='up{job="snmp"} == 1')["result"]
            time.sleep(0.3)
        assert up and up[0]["metric"]["device"] == "dr-core-1", up
        series = server.api("query", query='ifOperStatus{job="snmp"}')["result"]
    finally:
        exporter.stop()
        if server is not None:
            server.stop()
    auth = ["-v3", "-l", "authPriv", "-u", snmpd.user, "-a", "SHA", "-A", snmpd.auth_key]
    oper = net_snmp(
        "snmpbulkwalk", snmpd.port, [*auth, "-x", "AES", "-X", snmpd.priv_key], "1.3.6.1.2.1.2.2.1.8"
    )
    assert {s["metric"]["ifIndex"]: int(s["value"][1]) for s in series} == {
        k: int(v) for k, v in oper.items()
    }
    official = "Trung tâm dữ liệu dự phòng"  # datacenters.yml: the DR site's name
    assert all(s["metric"]["site"] == "dr" and s["metric"]["name"] == official for s in series)
