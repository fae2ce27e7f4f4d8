"""diff, push, backup, compliance and rollback against the lab's FRR routers over real SSH, and
the four faults. Every check reads the routers independently (vtysh / frr-reload.py over
nsenter); the lab is put back to its day-0 configs at the end."""

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from net_contract import Expect, check_bgp, check_facts, check_interfaces
from net_lab import LabRouter, have_frr, reload_delta, restore, running, vtysh

from provdc.inventory import Inventory, load_inventory, load_target, secret
from provdc.inventory.scope import build_scope
from provdc.network.connect import open_driver
from provdc.network.push import Pusher, PushOptions
from provdc.network.render import Renderer
from provdc.network.scope import Managed, managed_devices

pytestmark = [pytest.mark.lab, pytest.mark.skipif(not have_frr(), reason="FRR tools not installed")]
FAULT_SITES = "dist-29[1-5]"


@pytest.fixture(scope="module")
def state(lab: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state dir of this module's own, holding a copy of the generated target `lab`."""
    root = tmp_path_factory.mktemp("net-state")
    (root / "targets").mkdir()
    shutil.copy(lab.target, root / "targets" / "lab.yml")
    return root


@pytest.fixture(autouse=True)
def _lab_state(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVDC_STATE", str(state))


@pytest.fixture(scope="module")
def routers(lab: Any, inventory: Inventory) -> dict[str, LabRouter]:
    hostnames = {s.router.hostname: s.id for s in inventory.sites.values()}
    return {
        n.site: LabRouter(n.name, n.site, n.namespace)
        for n in lab.nodes
        if n.kind == "router" and hostnames.get(n.name) == n.site
    }


@pytest.fixture(scope="module")
def day0(routers: dict[str, LabRouter], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Every router's running config as found; put back (and checked) when the module ends."""
    found = {site: running(r) for site, r in routers.items()}
    yield found
    work = tmp_path_factory.mktemp("restore")

    def put_back(site: str) -> None:
        if running(routers[site]) != found[site]:
            restore(routers[site], found[site], work)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(put_back, found))
    left = [s for s in found if running(routers[s]) != found[s]]
    assert not left, f"routers not back at day-0: {left}"


@pytest.fixture
def golden(inventory: Inventory) -> dict[str, str]:
    renderer = Renderer(inventory)
    return {s.id: renderer.device(s, "frr").text for s in inventory.sites.values()}


def _cli(provdc_cli: Any, state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    run: subprocess.CompletedProcess[str] = provdc_cli(
        "net", *args, env={"PROVDC_STATE": str(state)}, timeout=600
    )
    return run


def _at_day0(routers: dict[str, LabRouter], day0: dict[str, str], sites: list[str], work: Path) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(
            pool.map(
                lambda s: restore(routers[s], day0[s], work),
                [s for s in sites if running(routers[s]) != day0[s]],
            )
        )
    assert all(running(routers[s]) == day0[s] for s in sites)


def test_driver_contract_live(
    inventory: Inventory, routers: dict[str, LabRouter], day0: dict[str, str]
) -> None:
    site = inventory.sites["dist-288"]
    target = load_target("lab")
    device = Managed(site, site.router.hostname, "frr", str(site.router.mgmt_address))
    pe = inventory.provider_edges[site.wan.pe]
    expect = Expect(site.router.hostname, "wan0", str(site.wan.pe_address), pe.asn, site.router.asn)
    driver = open_driver(device, target)
    try:
        check_facts(driver.get_facts(), expect)
        check_interfaces(driver.get_interfaces(), expect)
        bgp = driver.get_bgp_neighbors()
        check_bgp(bgp, expect)
        independent = json.loads(vtysh(routers["dist-288"], "show bgp summary json"))
        peer = independent["ipv4Unicast"]["peers"][str(site.wan.pe_address)]
        assert bgp["global"]["peers"][str(site.wan.pe_address)]["is_up"] == (peer["state"] == "Established")
        assert driver.get_config("running")["running"] == day0["dist-288"]
    finally:
        driver.close()


def test_compliance_and_diff_before_push(provdc_cli: Any, state: Path, day0: dict[str, str]) -> None:
    done = _cli(provdc_cli, state, "compliance", "--target", "lab", "--site", FAULT_SITES, "--format", "json")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert {d["result"] for d in data["devices"]} == {"drifted"}
    assert all("+ ip prefix-list SITE-OUT" in d["diff"] for d in data["devices"])
    diff = _cli(provdc_cli, state, "diff", "--target", "lab", "--site", "dist-291")
    assert diff.returncode == 0 and diff.stdout.startswith("--- ce-d291")


def test_dry_run_changes_nothing(
    provdc_cli: Any, state: Path, routers: dict[str, LabRouter], day0: dict[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "dry.json"
    done = _cli(provdc_cli, state, "push", "--target", "lab", "--site", FAULT_SITES, "--report", str(report))
    data = json.loads(report.read_text())
    assert done.returncode == 0, done.stdout + done.stderr
    assert data["summary"]["committed"] is False
    assert {d["result"] for d in data["devices"]} == {"changed"}
    for d in data["devices"]:
        assert running(routers[d["site"]]) == day0[d["site"]]


def test_push_every_router(
    provdc_cli: Any,
    state: Path,
    routers: dict[str, LabRouter],
    day0: dict[str, str],
    golden: dict[str, str],
    tmp_path: Path,
) -> None:
    report = tmp_path / "push.json"
    done = _cli(
        provdc_cli,
        state,
        "push",
        "--target",
        "lab",
        "--commit",
        "--waves",
        "1,10%,100%",
        "--max-workers",
        "8",
        "--report",
        str(report),
    )
    data = json.loads(report.read_text())
    assert done.returncode == 0, done.stdout + done.stderr
    assert {d["result"] for d in data["devices"]} == {"changed"}
    assert len(data["devices"]) == len(routers)
    assert sorted({d["wave"] for d in data["devices"]}) == [1, 2, 3]
    for site, router in routers.items():
        assert reload_delta(router, golden[site], tmp_path) == [], router.hostname
        backup = state / "backups" / "lab" / f"{router.hostname}.cfg"
        assert backup.read_text() == day0[site]
    log = subprocess.run(
        ["git", "-C", str(state / "backups" / "lab"), "log", "--oneline"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert len(log.splitlines()) == 1
    # The same push again changes nothing; compliance agrees.
    again = _cli(provdc_cli, state, "push", "--target", "lab", "--commit", "--format", "json")
    assert again.returncode == 0 and {d["result"] for d in json.loads(again.stdout)["devices"]} == {
        "unchanged"
    }
    comp = _cli(provdc_cli, state, "compliance", "--target", "lab", "--format", "json")
    assert comp.returncode == 0 and {d["result"] for d in json.loads(comp.stdout)["devices"]} == {"compliant"}
    access = load_target("lab").devices
    password = secret(access.password_ref) if access.password_ref else None
    for text in (report.read_text(), done.stdout, done.stderr, again.stdout, comp.stdout):
        assert secret(access.username_ref) + ":" not in text
        assert password is None or password not in text


def test_rollback_to_last_backup(
    provdc_cli: Any, state: Path, routers: dict[str, LabRouter], day0: dict[str, str]
) -> None:
    done = _cli(provdc_cli, state, "rollback", "--target", "lab", "--site", "dist-290", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [d["result"] for d in json.loads(done.stdout)["devices"]] == ["rolled_back"]
    assert running(routers["dist-290"]) == day0["dist-290"]


def test_backup_one_commit_per_run(provdc_cli: Any, state: Path, routers: dict[str, LabRouter]) -> None:
    repo = state / "backups" / "lab"

    def count() -> int:
        log = ["git", "-C", str(repo), "log", "--oneline"]
        return len(subprocess.run(log, capture_output=True, text=True, check=True).stdout.splitlines())

    before = count()
    done = _cli(provdc_cli, state, "backup", "--target", "lab", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert count() == before + 1
    for router in routers.values():
        assert (repo / f"{router.hostname}.cfg").read_text() == running(router)


def test_commit_revert_in_restores_unless_confirmed(
    inventory: Inventory,
    routers: dict[str, LabRouter],
    day0: dict[str, str],
    golden: dict[str, str],
    tmp_path: Path,
) -> None:
    """commit_config(revert_in=N): a timer on the router restores its backup unless confirmed."""
    site = inventory.sites["dist-289"] if "dist-289" in routers else inventory.sites["dist-288"]
    router = routers[site.id]
    _at_day0(routers, day0, [site.id], tmp_path)
    device = Managed(site, site.router.hostname, "frr", str(site.router.mgmt_address))
    driver = open_driver(device, load_target("lab"))
    try:
        driver.load_replace_candidate(config=golden[site.id])
        driver.commit_config(revert_in=6)
        assert driver.has_pending_commit()
        assert reload_delta(router, golden[site.id], tmp_path) == []
    finally:
        driver.close()
    deadline = time.monotonic() + 40
    while running(router) != day0[site.id] and time.monotonic() < deadline:
        time.sleep(1)
    assert running(router) == day0[site.id]
    # Confirmed in time: the change stays.
    driver = open_driver(device, load_target("lab"))
    try:
        driver.load_replace_candidate(config=golden[site.id])
        driver.commit_config(revert_in=6)
        driver.confirm_commit()
        assert not driver.has_pending_commit()
    finally:
        driver.close()
    time.sleep(9)
    assert reload_delta(router, golden[site.id], tmp_path) == []


# -- faults ---------------------------------------------------------------------------------------
def _push(inventory: Inventory, **options: Any) -> tuple[list[Any], int | None]:
    target = load_target("lab")
    devices = managed_devices(build_scope(inventory, target, FAULT_SITES))
    options = {"max_failures": "100%", **options}  # the faults below: one bad device, the others go on
    pusher = Pusher(inventory, target, PushOptions(commit=True, max_workers=4, timeout=20, **options))
    return pusher.run(devices)


def _check_outcome(
    results: list[Any],
    failed: str,
    reason: str,
    routers: dict[str, LabRouter],
    day0: dict[str, str],
    golden: dict[str, str],
    work: Path,
) -> None:
    for r in results:
        if r.site == failed:
            assert (r.result, r.reason) == ("failed", reason), r
            assert running(routers[r.site]) == day0[r.site]
            if r.restored is not None:
                assert r.restored is True
        else:
            assert r.result == "changed", r
            assert reload_delta(routers[r.site], golden[r.site], work) == []


@pytest.fixture
def fault_sites(
    routers: dict[str, LabRouter], day0: dict[str, str], tmp_path: Path, inventory: Inventory
) -> list[str]:
    sites = [s.site.id for s in managed_devices(build_scope(inventory, load_target("lab"), FAULT_SITES))]
    _at_day0(routers, day0, sites, tmp_path)
    return sites


def test_fault_router_unreachable(
    inventory: Inventory,
    routers: dict[str, LabRouter],
    day0: dict[str, str],
    golden: dict[str, str],
    fault_sites: list[str],
    tmp_path: Path,
) -> None:
    victim = routers[fault_sites[1]]
    in_ns = ["ip", "netns", "exec", victim.namespace, "ip"]
    # Link down drops the management route with it: keep it to put back.
    routes = subprocess.run(
        [*in_ns, "route", "show", "dev", "mgmt0"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    subprocess.run([*in_ns, "link", "set", "mgmt0", "down"], check=True)
    try:
        results, stopped = _push(inventory)
    finally:
        subprocess.run([*in_ns, "link", "set", "mgmt0", "up"], check=True)
        for route in routes:
            subprocess.run([*in_ns, "route", "replace", *route.split(), "dev", "mgmt0"], check=True)
    assert stopped is None
    victim_result = next(r for r in results if r.site == victim.site)
    assert victim_result.reason in ("timeout", "connect")
    _check_outcome(results, victim.site, victim_result.reason, routers, day0, golden, tmp_path)


def test_fault_rejected_line(
    inventory: Inventory,
    routers: dict[str, LabRouter],
    day0: dict[str, str],
    golden: dict[str, str],
    fault_sites: list[str],
    tmp_path: Path,
) -> None:
    victim = fault_sites[2]

    def mutate(device: Managed, text: str) -> str:
        return (
            text.replace("log syslog informational", "log syslog informational\nip frobnicate 1")
            if device.site.id == victim
            else text
        )

    results, stopped = _push(inventory, mutate=mutate)
    assert stopped is None
    _check_outcome(results, victim, "rejected", routers, day0, golden, tmp_path)
    assert "ip frobnicate 1" in next(r for r in results if r.site == victim).detail


def _session_pids(namespace: str) -> list[int]:
    """The per-connection sshd processes of a router (not its listening daemon)."""
    pids = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True).stdout.split()
    found = []
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if cmdline.startswith("sshd: provdc"):
            found.append(int(pid))
    return found


def test_fault_ssh_killed_mid_commit(
    inventory: Inventory,
    routers: dict[str, LabRouter],
    day0: dict[str, str],
    golden: dict[str, str],
    fault_sites: list[str],
    tmp_path: Path,
) -> None:
    victim = routers[fault_sites[3]]
    killed: list[int] = []

    def kill_later() -> None:
        time.sleep(0.4)
        for pid in _session_pids(victim.namespace):
            subprocess.run(["kill", "-9", str(pid)], check=False)
            killed.append(pid)

    def on_phase(device: Managed, phase: str) -> None:
        if device.site.id == victim.site and phase == "commit" and not killed:
            threading.Thread(target=kill_later, daemon=True).start()

    results, stopped = _push(inventory, on_phase=on_phase)
    assert killed, "no SSH session was found to kill"
    assert stopped is None
    _check_outcome(results, victim.site, "connect", routers, day0, golden, tmp_path)


def test_fault_change_breaks_bgp_gate_rolls_back(
    inventory: Inventory,
    routers: dict[str, LabRouter],
    day0: dict[str, str],
    golden: dict[str, str],
    fault_sites: list[str],
    tmp_path: Path,
) -> None:
    victim = fault_sites[-1]  # the last device: alone in the last wave
    pe_asn = inventory.provider_edges[inventory.sites[victim].wan.pe].asn

    def mutate(device: Managed, text: str) -> str:
        return (
            text.replace(f"remote-as {pe_asn}", f"remote-as {pe_asn + 1}")
            if device.site.id == victim
            else text
        )

    results, stopped = _push(inventory, mutate=mutate, waves=f"{len(fault_sites) - 1},100%", gate_timeout=20)
    assert stopped == 2
    _check_outcome(results, victim, "gate", routers, day0, golden, tmp_path)
    bad = next(r for r in results if r.site == victim)
    assert bad.restored is True and "BGP" in bad.detail
    assert bad.gate["before"]["bgp_up"] is True and bad.gate["after"]["bgp_up"] is False


def test_router_cut_off_by_its_commit_reverts_by_itself(
    inventory: Inventory,
    routers: dict[str, LabRouter],
    day0: dict[str, str],
    golden: dict[str, str],
    fault_sites: list[str],
    tmp_path: Path,
) -> None:
    """Commit-confirm on FRR: the router loses its management link right after the commit, so
    nobody can confirm; its own timer puts the old config back (read with vtysh)."""
    victim = routers[fault_sites[0]]
    in_ns = ["ip", "netns", "exec", victim.namespace, "ip"]
    routes = subprocess.run(
        [*in_ns, "route", "show", "dev", "mgmt0"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    cut = threading.Event()

    def on_phase(device: Managed, phase: str) -> None:
        if device.site.id == victim.site and phase == "done" and not cut.is_set():
            subprocess.run([*in_ns, "link", "set", "mgmt0", "down"], check=True)
            cut.set()

    target = load_target("lab")
    devices = managed_devices(build_scope(inventory, target, FAULT_SITES))
    device = next(d for d in devices if d.site.id == victim.site)
    options = PushOptions(
        commit=True, waves="1", timeout=10, gate_timeout=6, confirm_timeout=30, on_phase=on_phase
    )
    try:
        started = time.monotonic()
        results, stopped = Pusher(inventory, target, options).run([device])
        assert cut.is_set() and stopped == 1
        (result,) = results
        assert (result.result, result.reason, result.restored) == ("failed", "gate", None), result
        assert "unreachable" in result.detail and "reverts by itself" in result.detail
        assert reload_delta(victim, golden[victim.site], tmp_path) == []  # the change is in, for now
        while running(victim) != day0[victim.site] and time.monotonic() - started < 90:
            time.sleep(1)
        assert running(victim) == day0[victim.site]
        assert time.monotonic() - started >= 30  # the timer's doing, not an early restore
    finally:
        subprocess.run([*in_ns, "link", "set", "mgmt0", "up"], check=True)
        for route in routes:
            subprocess.run([*in_ns, "route", "replace", *route.split(), "dev", "mgmt0"], check=True)


# -- the 2025 reorganisation --------------------------------------------------------------------
WAN_CONTEXT = ("interface wan0", "exit", "exit-vrf", "!")


def _wan_description(router: LabRouter) -> str:
    """The WAN interface's description as FRR holds it (vtysh JSON, not the driver)."""
    return str(json.loads(vtysh(router, "show interface wan0 json"))["wan0"].get("description", ""))


def _changed_lines(diff: str | None) -> list[str]:
    """The `+`/`-` lines of a device diff, marker and indent removed."""
    return [line[1:].strip() for line in (diff or "").splitlines() if line[:1] in "+-" and line[1:].strip()]


def _lab_diff(provdc_cli: Any, state: Path, inventory: Path) -> dict[str, list[str]]:
    done = _cli(
        provdc_cli, state, "diff", "--target", "lab", "--format", "json", "--inventory", str(inventory)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {d["site"]: _changed_lines(d["diff"]) for d in json.loads(done.stdout)["devices"]}


def test_reorganised_inventory_reaches_the_lab_as_description_changes_only(
    provdc_cli: Any, state: Path, routers: dict[str, LabRouter], inventory: Inventory, tmp_path: Path
) -> None:
    """Issue 17's lab proof: the lab, at the shipped inventory, is pushed the 2025 two-tier one.
    `net diff` shows only each renamed site's WAN description, the push changes those routers and
    no other, vtysh then reads the new names, and a second diff is empty. Every router is put back
    to day-0 when the module ends."""
    shipped = _cli(provdc_cli, state, "push", "--target", "lab", "--commit", "--format", "json")
    assert shipped.returncode == 0, shipped.stdout + shipped.stderr
    plan, new = tmp_path / "plan.yml", tmp_path / "hai-phong"
    made = provdc_cli("inventory", "reorganize", "plan", "--to", "2025", "--out", str(plan))
    assert made.returncode == 0, made.stderr
    made = provdc_cli("inventory", "reorganize", "apply", str(plan), "--out", str(new), "--accept-defaults")
    assert made.returncode == 0, made.stderr
    reorganised = load_inventory(new)
    renamed = {
        site: reorganised.sites[site].name
        for site in routers
        if reorganised.sites[site].name != inventory.sites[site].name
    }
    assert renamed, "no lab router's site is renamed by the reorganisation"
    running_description = {site: _wan_description(routers[site]) for site in renamed}
    for site, text in running_description.items():
        assert text.endswith(f", {inventory.sites[site].name}"), (site, text)

    before = _lab_diff(provdc_cli, state, new)
    assert set(before) == set(routers)
    for site, changed in before.items():
        content = [line for line in changed if line not in WAN_CONTEXT]
        if site not in renamed:
            assert content == [], (site, changed)
            continue
        was = running_description[site]
        becomes = was.removesuffix(inventory.sites[site].name) + renamed[site]
        assert content == [f"no description {was}", f"description {becomes}"], (site, changed)

    report = tmp_path / "reorganised.json"
    push = _cli(
        provdc_cli, state, "push", "--target", "lab", "--commit", "-i", str(new), "--report", str(report)
    )
    assert push.returncode == 0, push.stdout + push.stderr
    results = {d["site"]: d["result"] for d in json.loads(report.read_text())["devices"]}
    assert results == {site: "changed" if site in renamed else "unchanged" for site in routers}
    for site, name in renamed.items():
        assert _wan_description(routers[site]).endswith(f", {name}"), site
    assert {site: lines for site, lines in _lab_diff(provdc_cli, state, new).items() if lines} == {}
