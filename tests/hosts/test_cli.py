"""`provdc hosts` without hosts: bad input gets one line and a non-zero exit; run files are private."""

import stat
from pathlib import Path
from typing import Any

import pytest

from provdc.hosts.runvars import parse_override, run_files
from provdc.hosts.selection import roles_of, select_hosts
from provdc.inventory import load_inventory
from provdc.inventory.scope import Scope
from provdc.inventory.targets import LabScope, load_target

BASELINE = ("common", "hardening", "internal_ca", "snmp_agent", "log_forwarding")


def one_line_error(out: Any) -> str:
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    return str(lines[0])


def test_unknown_target(provdc_cli: Any) -> None:
    assert "no target 'nowhere'" in one_line_error(provdc_cli("hosts", "apply", "--target", "nowhere"))


def test_limit_that_matches_nothing(provdc_cli: Any) -> None:
    out = provdc_cli("hosts", "apply", "--target", "prod", "--limit", "zz-*")
    assert "matches no host" in one_line_error(out)


def test_missing_secret_names_the_reference_only(provdc_cli: Any) -> None:
    out = provdc_cli("hosts", "verify", "--target", "prod", "--limit", "db-01")
    line = one_line_error(out)
    assert line.startswith("provdc: error: secret env:PROVDC_")


def test_bad_set(provdc_cli: Any) -> None:
    out = provdc_cli("hosts", "apply", "--target", "prod", "--set", "novalue")
    assert "expected KEY=VALUE" in one_line_error(out)


def test_set_values_are_json_when_they_parse() -> None:
    assert parse_override('x=["a", "b"]') == ("x", ["a", "b"])
    assert parse_override("port=514") == ("port", 514)
    assert parse_override("body=20m") == ("body", "20m")


def test_roles_follow_the_playbook() -> None:
    inv = load_inventory()
    by_name = {vm.name: vm for vm in inv.workloads}
    assert roles_of(by_name["rp-01"]) == (*BASELINE, "reverse_proxy")
    assert roles_of(by_name["db-01"]) == (*BASELINE, "postgresql")
    assert roles_of(by_name["dvc-web-01"]) == BASELINE
    assert roles_of(by_name["siem-collector-01"]) == (*BASELINE, "soc_collector")
    assert roles_of(by_name["ns-01"]) == (*BASELINE, "ntp_server", "dns_server")
    assert roles_of(by_name["nms-01"]) == (*BASELINE, "nms")


def test_limit_globs_hosts_and_groups() -> None:
    inv = load_inventory()
    prod = Scope(inv, load_target("prod"))
    assert [h.name for h in select_hosts(prod, "rp-*")] == ["rp-01", "rp-02"]
    assert {h.name for h in select_hosts(prod, "database")} == {
        v.name for v in inv.workloads if v.group == "database"
    }
    lab = LabScope(
        record="/nonexistent", routers=(), hosts=("rp-01", "db-01", "x"), wan_interface="w", lan_interface="l"
    )
    in_lab = Scope(inv, load_target("prod").model_copy(update={"lab": lab}))
    assert [h.name for h in select_hosts(in_lab, "rp-*,db-01")] == ["rp-01", "db-01"]


def test_run_files_are_private_and_removed() -> None:
    inv = load_inventory()
    with run_files(inv, {"snmp_agent_auth_key": "not-a-real-key"}) as files:
        folder = files.folder
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE(files.extra_vars.stat().st_mode) == 0o600
        assert files.inventory.is_file()
    assert not Path(folder).exists()


def test_run_files_are_removed_on_error() -> None:
    inv = load_inventory()
    with pytest.raises(RuntimeError), run_files(inv, {}) as files:
        folder = files.folder
        raise RuntimeError("boom")
    assert not folder.exists()
