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


def test_napalm_finds_the_installed_driver() -> None:
    """NAPALM's own lookup (community module `napalm_frr`), in a fresh interpreter whose path is
    only the standard library and the venv's site-packages: no patch, no checkout on sys.path."""
    import subprocess
    import sys
    import sysconfig

    code = (
        "import sys; sys.path[:] = [p for p in sys.path if 'site-packages' in p or 'python3' in p];"
        "import napalm; d = napalm.get_network_driver('frr');"
        "print(d.__module__, d.__name__, d('h', 'u', 'p').platform)"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", code],
        capture_output=True,
        text=True,
        cwd="/",
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": sysconfig.get_paths()["purelib"]},
        check=False,
    )
    assert done.stdout.split() == ["provdc.network.drivers.frr", "FrrDriver", "frr"], done.stderr


def test_nornir_napalm_opens_frr_with_no_patch() -> None:
    """nornir_napalm's connection plugin resolves platform "frr" through NAPALM."""
    from nornir_napalm.plugins.connections import Napalm

    connection = Napalm()
    with pytest.raises(Exception) as failed:  # nothing listens on port 1: the driver's own error
        connection.open("127.0.0.1", "u", "", 1, "frr", extras={"optional_args": {"host_keys": "lab"}})
    from napalm.base.exceptions import ConnectionException

    assert isinstance(failed.value, ConnectionException)


SECRETS = {
    "password": "vty-pass-1",
    "enable password": "enable-pass-2",
    " neighbor 10.30.224.10 password": "bgp-md5-3",
    " ip ospf message-digest-key 1 md5": "ospf-md5-4",
    " ip ospf authentication-key": "ospf-simple-5",
    "  key-string": "keychain-6",
}


def test_sanitized_config_hides_every_secret(driver: FrrDriver) -> None:
    """The recorded running config plus each kind of secret FRR keeps in clear (FRR's syntax)."""
    recorded = (RECORDED / "running.txt").read_text()
    extra = "\n".join(f"{line} {value}" for line, value in SECRETS.items())
    driver.shell.answers = {"show running-config": recorded + extra + "\n"}  # type: ignore[union-attr]
    running = driver.get_config(retrieve="running", sanitized=True)["running"]
    assert not [v for v in SECRETS.values() if v in running]
    for line in SECRETS:
        assert f"{line} <removed>" in running
    assert "neighbor 10.30.224.10 remote-as 65030" in running  # the rest is kept


def test_getter_on_a_lost_session_raises_napalm_exception(driver: FrrDriver) -> None:
    from napalm.base.exceptions import ConnectionClosedException

    driver.shell = None
    with pytest.raises(ConnectionClosedException):
        driver.get_interfaces()
