"""SNMPv3 authPriv (SHA/AES) against a real net-snmp snmpd, through the command line."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from snmp_agents import Snmpd, net_snmp
from tests_cli import Cli

V3_KEYS = ("--auth-key-file", "--priv-key-file")


def _v3(snmpd: Snmpd) -> list[str]:
    return [
        "-v3",
        "-l",
        "authPriv",
        "-u",
        snmpd.user,
        "-a",
        "SHA",
        "-A",
        snmpd.auth_key,
        "-x",
        "AES",
        "-X",
        snmpd.priv_key,
    ]


def _key_files(tmp_path: Path, auth: str, priv: str) -> list[str]:
    a, p = tmp_path / "auth", tmp_path / "priv"
    a.write_text(auth + "\n")
    p.write_text(priv + "\n")
    a.chmod(0o600)
    p.chmod(0o600)
    return ["--auth-key-file", str(a), "--priv-key-file", str(p)]


def _poll(provdc_cli: Cli, snmpd: Snmpd, keys: list[str], *extra: str) -> Any:
    out = provdc_cli(
        "monitor",
        "poll",
        "--agent",
        f"127.0.0.1:{snmpd.port}",
        "--user",
        snmpd.user,
        *keys,
        "--format",
        "json",
        "--timeout",
        "1",
        "--deadline",
        "8",
        *extra,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_v3_authpriv_poll_matches_snmpget(provdc_cli: Cli, snmpd: Snmpd, tmp_path: Path) -> None:
    data = _poll(provdc_cli, snmpd, _key_files(tmp_path, snmpd.auth_key, snmpd.priv_key))
    device = data["devices"][0]
    system = net_snmp("snmpget", snmpd.port, _v3(snmpd), "1.3.6.1.2.1.1.1.0")
    assert device["reachable"] and device["error"] is None
    assert device["sys_descr"] == system[""]
    assert device["sys_object_id"].startswith("1.3.6.1.4.1.8072.")
    assert device["profile"] == "net-snmp"
    oper = net_snmp("snmpbulkwalk", snmpd.port, _v3(snmpd), "1.3.6.1.2.1.2.2.1.8")
    assert {str(i["index"]) for i in device["interfaces"]} == set(oper)
    lo = next(i for i in device["interfaces"] if i["name"] == "lo")
    assert lo["oper_status"] == "up" and lo["in_octets"] is not None
    kinds = {s["kind"] for s in device["sensors"]}
    idle = net_snmp("snmpget", snmpd.port, _v3(snmpd), "1.3.6.1.4.1.2021.11.11.0")
    assert ("cpu" in kinds) == bool(idle)  # snmpd has no CPU figures in its first seconds
    total = int(net_snmp("snmpget", snmpd.port, _v3(snmpd), "1.3.6.1.4.1.2021.4.5.0")[""])
    avail = int(net_snmp("snmpget", snmpd.port, _v3(snmpd), "1.3.6.1.4.1.2021.4.6.0")[""])
    memory = next(s for s in device["sensors"] if s["kind"] == "memory" and s["name"] == "real memory")
    assert abs(memory["value"] - (100 - avail * 100 / total)) < 5


def test_json_shape_is_the_documented_one(provdc_cli: Cli, snmpd: Snmpd, tmp_path: Path) -> None:
    data = _poll(provdc_cli, snmpd, _key_files(tmp_path, snmpd.auth_key, snmpd.priv_key))
    assert set(data) == {"devices", "summary"}
    device = data["devices"][0]
    assert set(device) == {
        "name",
        "address",
        "port",
        "reachable",
        "error",
        "sys_descr",
        "sys_object_id",
        "uptime_s",
        "profile",
        "interfaces",
        "sensors",
        "checks",
    }
    assert set(device["interfaces"][0]) == {
        "index",
        "name",
        "admin_status",
        "oper_status",
        "speed_mbps",
        "in_octets",
        "out_octets",
    }
    assert set(device["checks"][0]) == {"name", "severity", "status", "message"}
    assert data["summary"]["devices"] == 1 and data["summary"]["reachable"] == 1


def test_wrong_auth_key_is_a_clear_status(provdc_cli: Cli, snmpd: Snmpd, tmp_path: Path) -> None:
    start = time.monotonic()
    data = _poll(provdc_cli, snmpd, _key_files(tmp_path, "wrong-auth-key", snmpd.priv_key))
    device = data["devices"][0]
    assert not device["reachable"]
    assert device["error"].startswith("auth:"), device["error"]
    assert time.monotonic() - start < 15
    assert snmpd.auth_key not in json.dumps(data)


def test_wrong_priv_key_does_not_hang(provdc_cli: Cli, snmpd: Snmpd, tmp_path: Path) -> None:
    data = _poll(provdc_cli, snmpd, _key_files(tmp_path, snmpd.auth_key, "wrong-priv-key"))
    device = data["devices"][0]
    assert not device["reachable"] and device["error"]
    assert data["devices"][0]["checks"][0] == {
        "name": "reachable",
        "severity": "critical",
        "status": "failed",
        "message": device["error"],
    }


def test_wrong_community_is_a_timeout(provdc_cli: Cli, snmpd: Snmpd) -> None:
    out = provdc_cli(
        "monitor",
        "poll",
        "--agent",
        f"127.0.0.1:{snmpd.port}",
        "--community",
        "not-this-one",
        "--format",
        "json",
        "--timeout",
        "0.5",
        "--retries",
        "0",
        "--deadline",
        "3",
    )
    device = json.loads(out.stdout)["devices"][0]
    assert not device["reachable"] and device["error"].startswith("timeout:")


def test_keys_never_in_output(provdc_cli: Cli, snmpd: Snmpd, tmp_path: Path) -> None:
    keys = _key_files(tmp_path, snmpd.auth_key, snmpd.priv_key)
    out = provdc_cli("monitor", "poll", "--agent", f"127.0.0.1:{snmpd.port}", "--user", snmpd.user, *keys)
    assert out.returncode == 0, out.stderr
    assert snmpd.auth_key not in out.stdout + out.stderr and snmpd.priv_key not in out.stdout + out.stderr
    assert "\tyes\tnet-snmp\t" in out.stdout
