"""The pusher's waves, gate, confirm, failure budget and lock, fast, on a fake NAPALM driver.

The fake keeps each router's running config, its unconfirmed commit and its revert timer the way
the real drivers do (FRR's on the lab routers, ios and junos in the replay tests), so these tests
check the orchestration only: which device is committed, confirmed, reverted or skipped.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from napalm.base.exceptions import ReplaceConfigException  # type: ignore[import-untyped]

from provdc.core.errors import ProvdcError
from provdc.inventory import Inventory, Target
from provdc.inventory.targets import DeviceAccess, SnmpAccess
from provdc.network import fleet
from provdc.network import push as push_module
from provdc.network.budget import allowed_failures, check_confirm_timeout
from provdc.network.errors import DeviceError
from provdc.network.lock import push_lock
from provdc.network.push import Pusher, PushOptions
from provdc.network.results import PHASES
from provdc.network.scope import Managed

OLD = "hostname old\n!\nend\n"


@dataclass
class Router:
    """One router's state, shared by every session opened to it."""

    running: str = OLD
    pending_before: str | None = None
    revert_in: int | None = None
    fault: str = ""  # "", "unreachable", "reject", "breaks_bgp", "cut_off", "timer_fires", "locks_out"
    log: list[str] = field(default_factory=list)

    @property
    def reachable(self) -> bool:
        if self.fault == "unreachable":
            return False
        return not (self.fault == "cut_off" and self.pending_before is not None)


class FakeDriver:
    """NAPALM's candidate workflow and the two getters the gate reads, on a Router."""

    def __init__(self, device: Managed, router: Router) -> None:
        self.device, self.router = device, router
        self.candidate: str | None = None

    def _check(self) -> None:
        if not self.router.reachable:
            raise DeviceError("connect", f"{self.device.hostname}: no route to host")

    def close(self) -> None:
        pass

    def is_alive(self) -> dict[str, bool]:
        return {"is_alive": self.router.reachable}

    def get_config(self, retrieve: str = "all") -> dict[str, str]:
        self._check()
        return {"running": self.router.running, "startup": "", "candidate": ""}

    def get_interfaces(self) -> dict[str, Any]:
        self._check()
        return {self.device.site.wan.interface: {"is_up": True}}

    def get_bgp_neighbors(self) -> dict[str, Any]:
        self._check()
        up = not (self.router.fault == "breaks_bgp" and self.router.running != OLD)
        peer = {"is_up": up, "address_family": {"ipv4": {"received_prefixes": 10 if up else 0}}}
        return {"global": {"peers": {str(self.device.site.wan.pe_address): peer}}}

    def load_replace_candidate(self, config: str) -> None:
        self._check()
        self.candidate = config

    load_merge_candidate = load_replace_candidate

    def compare_config(self) -> str:
        self._check()
        return "" if self.candidate in (None, self.router.running) else f"+ {self.candidate[:20]}"

    def discard_config(self) -> None:
        self.candidate = None

    def commit_config(self, message: str = "", revert_in: int | None = None) -> None:
        self._check()
        assert self.candidate is not None
        if self.router.fault == "reject":
            raise ReplaceConfigException("% Invalid input detected at line 3")
        self.router.log.append(f"commit revert_in={revert_in}")
        if revert_in:
            self.router.pending_before, self.router.revert_in = self.router.running, revert_in
        self.router.running = self.candidate
        if self.router.fault == "timer_fires":  # the timer runs out before anyone confirms
            self.router.running, self.router.pending_before = str(self.router.pending_before), None

    def has_pending_commit(self) -> bool:
        self._check()
        return self.router.pending_before is not None

    def confirm_commit(self) -> None:
        self._check()
        self.router.log.append("confirm")
        self.router.pending_before = None

    def rollback(self) -> None:
        self._check()
        self.router.log.append("rollback")
        assert self.router.pending_before is not None
        self.router.running, self.router.pending_before = self.router.pending_before, None


@pytest.fixture
def target(monkeypatch: pytest.MonkeyPatch) -> Target:
    monkeypatch.setenv("R_AUTH", "auth-key-1")
    monkeypatch.setenv("R_PRIV", "priv-key-1")
    return Target(
        name="orchestration",
        devices=DeviceAccess(username_ref="env:R_USER"),
        snmp=SnmpAccess(auth_key_ref="env:R_AUTH", priv_key_ref="env:R_PRIV"),
    )


@pytest.fixture
def devices(inventory: Inventory) -> list[Managed]:
    sites = [s for s in inventory.sites.values() if s.router.platform == "cisco_ios"][:5]
    return [Managed(s, s.router.hostname, "frr", f"192.0.2.{i}") for i, s in enumerate(sites, start=1)]


@pytest.fixture
def routers(devices: list[Managed], monkeypatch: pytest.MonkeyPatch) -> dict[str, Router]:
    found = {d.hostname: Router() for d in devices}

    def open_fake(device: Managed, target: Target, timeout: int = 60) -> FakeDriver:
        router = found[device.hostname]
        if not router.reachable:
            raise DeviceError("connect", f"{device.hostname}: no route to host")
        if router.fault == "locks_out" and router.running != OLD:  # the change dropped the users
            raise DeviceError("auth", f"{device.hostname}: authentication failed")
        return FakeDriver(device, router)

    monkeypatch.setattr(push_module, "open_driver", open_fake)
    return found


def _run(inventory: Inventory, target: Target, devices: list[Managed], **options: Any) -> Any:
    opts = PushOptions(commit=True, gate_timeout=0.1, confirm_timeout=30, **options)
    results, stopped = Pusher(inventory, target, opts).run(devices)
    return {r.name: r for r in results}, stopped


def test_every_wave_commits_with_revert_timer_then_confirms(
    inventory: Inventory, target: Target, devices: list[Managed], routers: dict[str, Router]
) -> None:
    results, stopped = _run(inventory, target, devices, waves="1,3,100%")
    assert stopped is None
    assert [results[d.hostname].wave for d in devices] == [1, 2, 2, 3, 3]
    for d in devices:
        assert results[d.hostname].result == "changed"
        assert routers[d.hostname].log == ["commit revert_in=30", "confirm"]
        assert routers[d.hostname].running != OLD and routers[d.hostname].pending_before is None


def test_report_profiles_every_phase_of_a_committed_device(
    inventory: Inventory, target: Target, devices: list[Managed], routers: dict[str, Router]
) -> None:
    results, _ = _run(inventory, target, devices[:2], waves="100%")
    for r in results.values():
        phases = r.as_json()["phases"]
        assert list(phases) == [p for p in PHASES if p != "restore"]
        assert all(v >= 0 for v in phases.values())
        assert sum(phases.values()) <= r.seconds + 0.01


def test_gate_failure_reverts_the_wave_at_once_and_stops(
    inventory: Inventory, target: Target, devices: list[Managed], routers: dict[str, Router]
) -> None:
    routers[devices[2].hostname].fault = "breaks_bgp"
    results, stopped = _run(inventory, target, devices, waves="1,3,100%")
    assert stopped == 2
    assert results[devices[0].hostname].result == "changed"  # wave 1: confirmed, kept
    assert routers[devices[0].hostname].log == ["commit revert_in=30", "confirm"]
    bad, other = results[devices[2].hostname], results[devices[1].hostname]
    assert (bad.result, bad.reason, bad.restored) == ("failed", "gate", True) and "BGP" in bad.detail
    assert other.result == "rolled_back"
    for d in devices[1:3]:
        assert routers[d.hostname].log == ["commit revert_in=30", "rollback"]
        assert routers[d.hostname].running == OLD
    for d in devices[3:]:
        assert results[d.hostname].result == "skipped" and "gate" in results[d.hostname].detail
        assert routers[d.hostname].log == []


def test_router_cut_off_by_its_change_is_left_to_its_own_timer(
    inventory: Inventory, target: Target, devices: list[Managed], routers: dict[str, Router]
) -> None:
    victim = routers[devices[0].hostname]
    victim.fault = "cut_off"
    results, stopped = _run(inventory, target, devices, waves="1,100%")
    assert stopped == 1
    r = results[devices[0].hostname]
    assert (r.result, r.reason, r.restored) == ("failed", "gate", None)
    assert "unreachable" in r.detail and "reverts by itself within 30 s" in r.detail
    assert victim.log == ["commit revert_in=30"] and victim.pending_before == OLD  # never confirmed


def test_change_that_locks_new_logins_out_is_undone_over_its_own_session(
    inventory: Inventory, target: Target, devices: list[Managed], routers: dict[str, Router]
) -> None:
    victim = routers[devices[0].hostname]
    victim.fault = "locks_out"
    results, stopped = _run(inventory, target, devices, waves="1,100%")
    r = results[devices[0].hostname]
    assert stopped == 1 and (r.result, r.reason, r.restored) == ("failed", "gate", True)
    assert "no new login after the change (auth" in r.detail
    assert victim.log == ["commit revert_in=30", "rollback"] and victim.running == OLD


def test_timer_that_fired_before_the_confirm_is_a_failure(
    inventory: Inventory, target: Target, devices: list[Managed], routers: dict[str, Router]
) -> None:
    routers[devices[0].hostname].fault = "timer_fires"
    results, _ = _run(inventory, target, devices[:1], waves="1")
    r = results[devices[0].hostname]
    assert (r.result, r.reason) == ("failed", "timeout") and "revert timer fired" in r.detail
    assert "confirm" not in routers[devices[0].hostname].log


def test_default_budget_stops_after_a_failed_canary(
    inventory: Inventory, target: Target, devices: list[Managed], routers: dict[str, Router]
) -> None:
    routers[devices[0].hostname].fault = "reject"
    results, stopped = _run(inventory, target, devices, waves="1,100%")
    assert stopped == 1
    assert results[devices[0].hostname].reason == "rejected"
    assert all(results[d.hostname].result == "skipped" for d in devices[1:])
    assert "--max-failures 0 allows 0" in results[devices[1].hostname].detail
    assert all(routers[d.hostname].log == [] for d in devices[1:])


def test_budget_share_lets_a_wave_lose_some(
    inventory: Inventory, target: Target, devices: list[Managed], routers: dict[str, Router]
) -> None:
    routers[devices[1].hostname].fault = "unreachable"
    results, stopped = _run(inventory, target, devices, waves="1,3,100%", max_failures="50%")
    assert stopped is None
    assert results[devices[1].hostname].reason == "connect"
    assert all(results[d.hostname].result == "changed" for d in devices if d != devices[1])
    routers[devices[2].hostname].fault = "unreachable"  # now 2 of wave 2's 2 fail: over 50 %
    for r in routers.values():
        r.running = OLD
    results, stopped = _run(inventory, target, devices, waves="1,3,100%", max_failures="50%")
    assert stopped == 2 and all(results[d.hostname].result == "skipped" for d in devices[3:])


@pytest.mark.parametrize(
    ("spec", "size", "allowed"), [("0", 5, 0), ("2", 5, 2), ("50%", 5, 2), ("10%", 1, 0)]
)
def test_allowed_failures(spec: str, size: int, allowed: int) -> None:
    assert allowed_failures(spec, size) == allowed


@pytest.mark.parametrize("spec", ["x", "-1", "120%"])
def test_bad_budget(spec: str) -> None:
    with pytest.raises(ProvdcError, match="--max-failures"):
        allowed_failures(spec, 5)


def test_confirm_timeout_checks() -> None:
    check_confirm_timeout(20, 10, {"frr"})
    with pytest.raises(ProvdcError, match="longer than --gate-timeout"):
        check_confirm_timeout(60, 60, {"frr"})
    with pytest.raises(ProvdcError, match="cisco_ios counts its revert timer in minutes"):
        check_confirm_timeout(90, 60, {"cisco_ios", "frr"})
    with pytest.raises(ProvdcError, match="juniper_junos"):
        check_confirm_timeout(7260, 60, {"juniper_junos"})


def test_second_push_to_a_target_is_refused(
    inventory: Inventory, target: Target, devices: list[Managed], routers: dict[str, Router]
) -> None:
    with push_lock(target.name), pytest.raises(ProvdcError, match="another push to target orchestration"):
        _run(inventory, target, devices)
    assert all(r.log == [] for r in routers.values())
    results, _ = _run(inventory, target, devices[:1], waves="1")  # released: the next push runs
    assert results[devices[0].hostname].result == "changed"


def test_cli_second_push_one_line(provdc_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real second `net push` process while this one holds the target's lock."""
    state = tmp_path / "state"
    monkeypatch.setenv("PROVDC_STATE", str(state))
    with push_lock("prod"):
        done = provdc_cli(
            "net", "push", "--target", "prod", "--site", "com-10507", env={"PROVDC_STATE": str(state)}
        )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "another push to target prod is running" in lines[0]
    assert f"pid {os.getpid()}" in lines[0]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--max-failures", "lots"), "--max-failures lots"),
        (("--commit", "--confirm-timeout", "30", "--gate-timeout", "60"), "--confirm-timeout 30"),
        (("--commit", "--confirm-timeout", "90"), "counts its revert timer in minutes"),
    ],
)
def test_cli_bad_push_options_one_line(provdc_cli: Any, args: tuple[str, ...], needle: str) -> None:
    done = provdc_cli("net", "push", "--target", "prod", "--site", "com-1050*", *args)
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and needle in done.stderr, done.stderr


def test_rollback_is_refused_while_a_push_holds_the_target(target: Target, devices: list[Managed]) -> None:
    with push_lock(target.name), pytest.raises(ProvdcError, match="another push to target orchestration"):
        fleet.rollback(target, devices[:1])
