"""`provdc hosts apply` and `verify` against the lab's Debian hosts, over real SSH.

Expected values come from outside the code under test: net-snmp's snmpget from the machine, a
syslog collector of the test's own, nginx and psql answering, files read inside the hosts.
"""

import hashlib
import json
import os
import subprocess
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from provdc.inventory import load_inventory, secret
from provdc.inventory.targets import Target
from provdc.lab.status import LabStatus

from .conftest import COLLECTOR_PORT, Collector, in_host, reset_lab_hosts

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(1500)]


def collector_sets(lab: LabStatus) -> list[str]:
    return [
        "--set",
        f"log_forwarding_target={lab.mgmt_source}",
        "--set",
        f"log_forwarding_port={COLLECTOR_PORT}",
        "--set",
        "log_forwarding_protocol=tcp",  # the test's own collector speaks plain TCP syslog
    ]


def run_apply(provdc_cli: Any, lab: LabStatus, *extra: str) -> tuple[int, dict[str, Any], str]:
    out = provdc_cli(
        "hosts", "apply", "--target", "lab", "--format", "json", *collector_sets(lab), *extra, timeout=1200
    )
    data = json.loads(out.stdout) if out.stdout.strip() else {}
    return out.returncode, data, out.stderr


@pytest.fixture(scope="module")
def applied(
    lab: LabStatus, provdc_cli: Any, collector: Collector
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Two applies to the lab's hosts; afterwards the hosts get fresh overlay layers again."""
    try:
        rc1, first, err1 = run_apply(provdc_cli, lab)
        assert rc1 == 0, err1[-3000:]
        rc2, second, err2 = run_apply(provdc_cli, lab)
        assert rc2 == 0, err2[-3000:]
        yield first, second
    finally:
        reset_lab_hosts()


def host_names(lab: LabStatus) -> set[str]:
    return {n.name for n in lab.of_kind("host")}


def test_apply_reaches_every_lab_host_and_a_second_apply_changes_nothing(
    lab: LabStatus, applied: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    first, second = applied
    assert {h["host"] for h in first["hosts"]} == host_names(lab)
    assert all(h["status"] in ("ok", "changed") for h in first["hosts"])
    assert [(h["host"], h["changed"]) for h in second["hosts"] if h["changed"]] == []
    assert all(h["failed"] == 0 and h["unreachable"] == 0 for h in second["hosts"])


def test_verify_passes_every_role(lab: LabStatus, applied: Any, provdc_cli: Any) -> None:
    out = provdc_cli("hosts", "verify", "--target", "lab", "--format", "json", *collector_sets(lab))
    report = json.loads(out.stdout)
    failed = [
        (h["name"], c["role"], c["name"], c["detail"])
        for h in report["hosts"]
        for c in h["checks"]
        if c["status"] == "fail"
    ]
    assert out.returncode == 0 and failed == []
    s = report["summary"]
    assert s["failed"] == 0 and s["passed"] + s["skipped"] == sum(len(h["checks"]) for h in report["hosts"])
    skipped = {c["name"] for h in report["hosts"] for c in h["checks"] if c["status"] == "skip"}
    assert skipped <= {"audit"}  # the lab's namespaces have no kernel audit; nothing else may skip
    inv = load_inventory()
    for h in report["hosts"]:
        vm = next(v for v in inv.workloads if v.name == h["name"])
        assert h["address"] == str(vm.address)
        roles = {c["role"] for c in h["checks"]}
        assert {"common", "hardening", "snmp_agent", "log_forwarding"} <= roles
        assert ("reverse_proxy" in roles) == (vm.group == "reverse_proxy")
        assert ("postgresql" in roles) == (vm.group == "database")
        assert set(h["checks"][0]) == {"role", "name", "status", "detail"}


def _snmpget(address: str, target: Target, level: str = "authPriv") -> subprocess.CompletedProcess[str]:
    snmp = load_inventory().services.snmp
    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "snmp.conf"
        conf.write_text(
            f"defAuthPassphrase {secret(target.snmp.auth_key_ref)}\n"
            f"defPrivPassphrase {secret(target.snmp.priv_key_ref)}\n",
            encoding="utf-8",
        )
        conf.chmod(0o600)
        return subprocess.run(
            [
                "snmpget",
                "-v3",
                "-l",
                level,
                "-u",
                snmp.user,
                "-a",
                snmp.auth,
                "-x",
                snmp.priv,
                "-On",
                "-t",
                "2",
                "-r",
                "1",
                address,
                "1.3.6.1.2.1.1.5.0",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "SNMPCONFPATH": tmp, "HOME": tmp},
            timeout=30,
            check=False,
        )


def test_snmpv3_authpriv_get_succeeds_and_nothing_less(
    lab: LabStatus, applied: Any, lab_hosts_target: Target
) -> None:
    for node in lab.of_kind("host"):
        out = _snmpget(node.mgmt_address, lab_hosts_target)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == f'.1.3.6.1.2.1.1.5.0 = STRING: "{node.name}"'
        no_priv = _snmpget(node.mgmt_address, lab_hosts_target, level="authNoPriv")
        assert no_priv.returncode != 0 or "authorizationError" in no_priv.stdout + no_priv.stderr
        v2c = subprocess.run(
            [
                "snmpget",
                "-v2c",
                "-c",
                "public",
                "-On",
                "-t",
                "1",
                "-r",
                "0",
                node.mgmt_address,
                "1.3.6.1.2.1.1.5.0",
            ],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert v2c.returncode != 0


def test_firewall_admits_declared_services_only(lab: LabStatus, applied: Any) -> None:
    inv = load_inventory()
    for node in lab.of_kind("host"):
        vm = next(v for v in inv.workloads if v.name == node.name)
        rules = in_host(node.name, "nft", "list", "chain", "inet", "provdc", "input").stdout
        assert "policy drop" in rules
        if vm.group == "reverse_proxy":
            with urllib.request.urlopen(f"http://{node.mgmt_address}/healthz", timeout=5) as resp:
                assert resp.status == 200
        if vm.group == "database":
            # The machine is not a database client: port 5432 must not answer it (dropped, not refused).
            probe = subprocess.run(
                ["timeout", "4", "bash", "-c", f"echo > /dev/tcp/{node.mgmt_address}/5432"],
                capture_output=True,
                timeout=10,
                check=False,
            )
            assert probe.returncode == 124
            assert (
                in_host(
                    node.name, "runuser", "-u", "postgres", "--", "psql", "-XAtc", "select 1"
                ).stdout.strip()
                == "1"
            )


def test_a_log_line_reaches_the_collector(lab: LabStatus, applied: Any, collector: Collector) -> None:
    for node in lab.of_kind("host"):
        marker = f"provdc-test-{uuid.uuid4().hex[:12]}"
        in_host(node.name, "logger", "-t", "provdc-test", marker)
        assert collector.wait_for(marker, 30), f"{node.name}: {marker} never reached the collector"
        assert any(marker in line and node.name in line for line in collector.lines)


def test_logs_queue_while_the_collector_is_down(lab: LabStatus, applied: Any, collector: Collector) -> None:
    """Lines logged while the collector is down wait in the disk-assisted queue and all arrive.

    Plain TCP syslog has no acknowledgement: the one line rsyslog writes into a connection the
    collector has just closed can be lost (that write succeeds locally). The first line after the
    outage is that probe; every line after it must arrive (docs/hosts.md, "Assumptions").
    """
    node = lab.of_kind("host")[0]
    warm = f"provdc-warm-{uuid.uuid4().hex[:12]}"
    in_host(node.name, "logger", "-t", "provdc-test", warm)
    assert collector.wait_for(warm, 30)
    collector.stop()
    try:
        in_host(node.name, "logger", "-t", "provdc-test", f"provdc-probe-{uuid.uuid4().hex[:8]}")
        time.sleep(2)
        markers = [f"provdc-queued-{i}-{uuid.uuid4().hex[:8]}" for i in range(5)]
        for m in markers:
            in_host(node.name, "logger", "-t", "provdc-test", m)
        time.sleep(3)
        assert not any(collector.wait_for(m, 0.1) for m in markers)
    finally:
        collector.start()
    missing = [m for m in markers if not collector.wait_for(m, 90)]
    assert missing == [], f"lost while the collector was down: {missing}"


def _sha(name: str, path: str) -> str:
    return hashlib.sha256(in_host(name, "cat", path).stdout.encode()).hexdigest()


def _host_of_group(lab: LabStatus, group: str) -> str:
    inv = load_inventory()
    return next(
        n.name
        for n in lab.of_kind("host")
        if next(v for v in inv.workloads if v.name == n.name).group == group
    )


def test_a_failed_package_install_is_reported_and_nothing_is_loaded(
    lab: LabStatus, applied: Any, provdc_cli: Any
) -> None:
    db = _host_of_group(lab, "database")
    before = _sha(db, "/etc/postgresql/15/main/pg_hba.conf")
    rc, data, _ = run_apply(
        provdc_cli,
        lab,
        "--limit",
        db,
        "--set",
        'postgresql_packages=["postgresql-15", "provdc-no-such-package"]',
        "--set",
        'postgresql_client_addresses=["192.0.2.10"]',
    )
    assert rc == 1
    (rec,) = data["hosts"]
    assert rec["status"] == "failed" and "provdc-no-such-package" in rec["error"]
    assert _sha(db, "/etc/postgresql/15/main/pg_hba.conf") == before
    assert (
        "192.0.2.10"
        not in in_host(
            db, "runuser", "-u", "postgres", "--", "psql", "-XAtc", "select address from pg_hba_file_rules"
        ).stdout
    )


def test_a_config_that_does_not_validate_is_never_written(
    lab: LabStatus, applied: Any, provdc_cli: Any
) -> None:
    rp = _host_of_group(lab, "reverse_proxy")
    before = _sha(rp, "/etc/nginx/nginx.conf")
    rc, data, _ = run_apply(provdc_cli, lab, "--limit", rp, "--set", "reverse_proxy_client_max_body=20qq")
    assert rc == 1
    (rec,) = data["hosts"]
    assert rec["status"] == "failed" and "nginx" in rec["error"].lower()
    assert _sha(rp, "/etc/nginx/nginx.conf") == before
    with urllib.request.urlopen(f"http://{lab.node(rp).mgmt_address}/healthz", timeout=5) as resp:
        assert resp.status == 200


def test_an_unreachable_host_is_reported_and_the_others_continue(
    lab: LabStatus, applied: Any, provdc_cli: Any
) -> None:
    names = sorted(host_names(lab))
    cut = names[0]
    in_host(
        cut,
        "nft",
        "add table inet provdc_test { chain input { type filter hook input priority -10; "
        "tcp dport 22 ct state new drop; }; }",
    )
    try:
        rc, data, _ = run_apply(provdc_cli, lab, "--tags", "common")
    finally:
        in_host(cut, "nft", "delete", "table", "inet", "provdc_test")
    assert rc == 1
    status = {h["host"]: h["status"] for h in data["hosts"]}
    assert status[cut] == "unreachable"
    assert all(status[n] == "ok" for n in names if n != cut)
