"""The FRR driver against output recorded from a real FRR 8.4.4 (the DR router's golden config,
BGP established with its PE). The same contract runs live in test_frr_live.py."""

from pathlib import Path

import pytest
from net_contract import Expect, check_bgp, check_facts, check_interfaces
from net_replay import RECORDED, ReplayShell

from provdc.inventory import Inventory
from provdc.network.drivers import frr_parse
from provdc.network.drivers.frr import FrrDriver


@pytest.fixture
def driver() -> FrrDriver:
    d = FrrDriver("recorded", "nobody", "")
    d.shell = ReplayShell()
    return d


@pytest.fixture
def expect(inventory: Inventory) -> Expect:
    site = inventory.sites["dr"]
    pe = inventory.provider_edges[site.wan.pe]
    return Expect(None, "wan0", str(site.wan.pe_address), pe.asn, site.router.asn)


def test_facts(driver: FrrDriver, expect: Expect) -> None:
    check_facts(driver.get_facts(), expect)


def test_interfaces(driver: FrrDriver, expect: Expect) -> None:
    check_interfaces(driver.get_interfaces(), expect)


def test_bgp_neighbors(driver: FrrDriver, expect: Expect, inventory: Inventory) -> None:
    bgp = driver.get_bgp_neighbors()
    check_bgp(bgp, expect)
    peer = bgp["global"]["peers"][expect.pe_address]
    assert peer["description"] == f"{inventory.sites['dr'].wan.pe} {inventory.sites['dr'].wan.circuit_id}"


def test_bgp_neighbor_held_by_policy() -> None:
    """A session held back by ebgp-requires-policy is up but exchanges nothing: the gate's
    before/after prefix count sees that."""
    summary = (RECORDED / "bgp_summary_policy.json").read_text()
    bgp = frr_parse.bgp_neighbors(summary, "{}")
    peer = next(iter(bgp["global"]["peers"].values()))
    assert peer["is_up"] is True
    assert peer["address_family"]["ipv4"]["received_prefixes"] == 0


def test_running_config_has_no_vtysh_header(driver: FrrDriver) -> None:
    running = driver.get_config("running")["running"]
    assert not running.startswith("Building") and running.rstrip().endswith("end")


def test_reload_delta_collapses_repeated_contexts() -> None:
    delete, add = frr_parse.reload_delta((RECORDED / "reload_test_day0_to_golden.txt").read_text())
    assert add.count("router bgp 4200030002") <= 2
    assert "  network 10.30.16.0/24" in add
    assert not any(line.startswith(frr_parse.VTYSH_LOCAL) for line in delete + add)


@pytest.mark.parametrize("name", ["reload_rejected.txt", "vtysh_f_rejected.txt"])
def test_rejected_line_is_named(name: str) -> None:
    assert frr_parse.rejected_line((RECORDED / name).read_text()) == "ip adress-of 10.30.16.1/24"


def test_commit_without_candidate_fails(driver: FrrDriver) -> None:
    from napalm.base.exceptions import CommitError  # type: ignore[import-untyped]

    with pytest.raises(CommitError):
        driver.commit_config()


def test_missing_file_is_a_replace_error(driver: FrrDriver, tmp_path: Path) -> None:
    from napalm.base.exceptions import ReplaceConfigException

    with pytest.raises(ReplaceConfigException):
        driver.load_replace_candidate(filename=str(tmp_path / "nope.conf"))
