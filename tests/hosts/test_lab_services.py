"""The central services on the lab's hosts: SOC collector, NTP, DNS, HTTPS with the internal CA.

One `provdc hosts apply` with the inventory as it is (no overrides: every host logs to the real
collector at the inventory's SOC address), then checks from client hosts and from the routers.
Expected values come from the inventory model and from the clients' own tools (logger, chronyc,
dig, curl), never from the roles. The second apply of tests/hosts/test_lab_hosts.py covers the
new roles' idempotence.
"""

import json
import time
import uuid
from collections.abc import Iterator
from ipaddress import IPv4Address
from typing import Any

import pytest

from provdc.inventory import load_inventory
from provdc.inventory.model import Inventory
from provdc.lab.status import LabStatus

from .conftest import in_host, reset_lab_hosts

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(1500)]

PORTAL = "dichvucong.haiduong.gov.vn"
ZONE = "tslcd.haiduong.gov.vn"
SOC_DIR = "/var/log/soc"
CA = "/etc/provdc/tls/ca.crt"


@pytest.fixture(scope="module")
def inv() -> Inventory:
    return load_inventory()


@pytest.fixture(scope="module")
def applied(lab: LabStatus, provdc_cli: Any) -> Iterator[dict[str, Any]]:
    """One apply of the whole playbook to the lab's hosts; afterwards fresh overlay layers again."""
    try:
        out = provdc_cli("hosts", "apply", "--target", "lab", "--format", "json", timeout=1200)
        assert out.returncode == 0, out.stderr[-3000:]
        yield json.loads(out.stdout)
    finally:
        reset_lab_hosts()


def _host_at(lab: LabStatus, address: IPv4Address) -> str:
    return next(n.name for n in lab.of_kind("host") if n.mgmt_address == str(address))


def _client(lab: LabStatus, inv: Inventory, besides: str = "") -> str:
    """A lab host that serves none of the central services (nor is of group `besides`): the client."""
    central = {inv.services.syslog.address, *inv.services.ntp, *inv.services.dns}
    groups = {vm.name: vm.group for vm in inv.workloads}
    return next(
        n.name
        for n in lab.of_kind("host")
        if IPv4Address(n.mgmt_address) not in central and groups[n.name] != besides
    )


def _soc_lines(lab: LabStatus, inv: Inventory, marker: str) -> dict[str, str]:
    """{sending address: line} of every line holding `marker` in the collector's files."""
    collector = _host_at(lab, inv.services.syslog.address)
    out = in_host(collector, "grep", "-rF", marker, SOC_DIR, check=False).stdout
    found = {}
    for line in out.splitlines():
        path, _, text = line.partition(":")
        found[path.removeprefix(SOC_DIR + "/").removesuffix(".log")] = text
    return found


def _wait_lines(lab: LabStatus, inv: Inventory, markers: list[str], seconds: float) -> set[str]:
    """The markers that reached the collector within `seconds`."""
    deadline = time.monotonic() + seconds
    seen: set[str] = set()
    while time.monotonic() < deadline and len(seen) < len(markers):
        seen = {m for m in markers if _soc_lines(lab, inv, m)}
        time.sleep(1)
    return seen


def test_verify_passes_the_central_services(lab: LabStatus, applied: Any, provdc_cli: Any) -> None:
    out = provdc_cli("hosts", "verify", "--target", "lab", "--format", "json")
    report = json.loads(out.stdout)
    failed = [
        (h["name"], c["name"], c["detail"])
        for h in report["hosts"]
        for c in h["checks"]
        if c["status"] == "fail"
    ]
    assert failed == [] and out.returncode == 0
    passed = {(h["name"], c["role"]) for h in report["hosts"] for c in h["checks"] if c["status"] == "pass"}
    inv = load_inventory()
    collector = _host_at(lab, inv.services.syslog.address)
    ns = _host_at(lab, inv.services.ntp[0])
    assert {(collector, "soc_collector"), (ns, "ntp_server"), (ns, "dns_server")} <= passed
    assert all((n.name, "internal_ca") in passed for n in lab.of_kind("host"))


def test_every_host_line_reaches_the_collector_over_relp_tls(
    lab: LabStatus, applied: Any, inv: Inventory
) -> None:
    markers = {}
    for node in lab.of_kind("host"):
        markers[node.name] = f"provdc-relp-{uuid.uuid4().hex[:12]}"
        in_host(node.name, "logger", "-t", "provdc-test", markers[node.name])
    assert _wait_lines(lab, inv, list(markers.values()), 60) == set(markers.values())
    for node in lab.of_kind("host"):
        lines = _soc_lines(lab, inv, markers[node.name])
        # Filed under the sender's inventory address, received by the RELP input, named by the host.
        assert list(lines) == [node.mgmt_address], lines
        assert (
            " imrelp " in lines[node.mgmt_address] and f" {node.name} provdc-test" in lines[node.mgmt_address]
        )


def _router_addresses(inv: Inventory, name: str) -> set[str]:
    """Every address the inventory gives a router: the source of its packets is one of them."""
    for site in inv.sites.values():
        if site.router.hostname == name:
            return {
                str(site.router.mgmt_address),
                str(site.wan.ce_address),
                *(str(x.gateway) for x in site.lans),
            }
    return {str(d.mgmt_address) for d in inv.dc_devices if d.name == name}


# A router's syslog leaves from its management address, as `logging source-interface Loopback0`
# does on IOS: python3 in the router's namespace binds it (util-linux logger cannot choose one).
SEND_FROM = """
import socket, sys
source, collector, port, host, marker = sys.argv[1:]
with socket.create_connection((collector, int(port)), timeout=10, source_address=(source, 0)) as s:
    s.sendall(f"<14>1 - {host} provdc-test - - - {marker}\\n".encode())
"""


def test_lines_logged_while_the_collector_is_down_arrive_after_it_starts(
    lab: LabStatus, applied: Any, inv: Inventory
) -> None:
    """RELP acknowledges every line: what the hosts log while the collector is stopped waits in
    their disk-assisted queues, and every line arrives once it runs again (none lost, no probe)."""
    collector = _host_at(lab, inv.services.syslog.address)
    senders = [n.name for n in lab.of_kind("host") if n.name != collector]
    warm = {s: f"provdc-warm-{uuid.uuid4().hex[:12]}" for s in senders}
    for s, m in warm.items():
        in_host(s, "logger", "-t", "provdc-test", m)
    assert _wait_lines(lab, inv, list(warm.values()), 60) == set(warm.values())
    in_host(collector, "service", "rsyslog", "stop")
    try:
        assert in_host(collector, "pgrep", "-x", "rsyslogd", check=False).returncode == 1
        queued = {f"provdc-queued-{i}-{uuid.uuid4().hex[:8]}": s for s in senders for i in range(3)}
        for m, s in queued.items():
            in_host(s, "logger", "-t", "provdc-test", m)
        time.sleep(5)
        assert _wait_lines(lab, inv, list(queued), 0.1) == set()
    finally:
        in_host(collector, "service", "rsyslog", "start")
    missing = set(queued) - _wait_lines(lab, inv, list(queued), 120)
    assert missing == set(), f"lost while the collector was down: {sorted(missing)}"


def test_a_client_follows_the_ntp_server(lab: LabStatus, applied: Any, inv: Inventory) -> None:
    """chronyc on a client host selects (or combines) the inventory's NTP server that the lab runs."""
    client = _client(lab, inv)
    server = str(
        next(a for a in inv.services.ntp if any(n.mgmt_address == str(a) for n in lab.of_kind("host")))
    )
    in_host(client, "chronyc", "burst", "4/4")
    deadline = time.monotonic() + 90
    line = ""
    while time.monotonic() < deadline:
        out = in_host(client, "chronyc", "-n", "sources").stdout
        line = next((x for x in out.splitlines() if f" {server} " in f" {x} "), "")
        if line[:2] in ("^*", "^+"):
            break
        time.sleep(2)
    assert line[:2] in ("^*", "^+"), f"{client}: chronyc sources for {server}: {line!r}"


def test_a_client_resolves_every_inventory_name(lab: LabStatus, applied: Any, inv: Inventory) -> None:
    """dig from a client host, at the inventory's DNS server the lab runs: every VM and site router
    answers its inventory address; a name not in the inventory does not exist."""
    client = _client(lab, inv)
    server = str(
        next(a for a in inv.services.dns if any(n.mgmt_address == str(a) for n in lab.of_kind("host")))
    )
    want = {vm.name: str(vm.address) for vm in inv.workloads}
    want |= {s.router.hostname: str(s.router.mgmt_address) for s in inv.sites.values()}
    names = sorted(want)
    out = in_host(
        client,
        "dig",
        f"@{server}",
        "+norecurse",
        "+noall",
        "+answer",
        *[a for n in names for a in (f"{n}.{ZONE}", "A")],
    ).stdout
    have: dict[str, list[str]] = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 5 and f[3] == "A":
            have.setdefault(f[0].removesuffix(f".{ZONE}."), []).append(f[4])
    assert {n: a[0] for n, a in have.items() if len(a) == 1} == want
    nx = in_host(client, "dig", f"@{server}", "+norecurse", f"no-such-host.{ZONE}", "A").stdout
    assert "status: NXDOMAIN" in nx and "flags: qr aa" in nx


def test_a_client_reaches_the_portal_over_https_with_the_internal_ca(
    lab: LabStatus, applied: Any, inv: Inventory
) -> None:
    client = _client(lab, inv, besides="reverse_proxy")
    rp = next(
        n
        for n in lab.of_kind("host")
        if any(v.name == n.name and v.group == "reverse_proxy" for v in inv.workloads)
    )
    resolve = ["--resolve", f"{PORTAL}:443:{rp.mgmt_address}"]
    ok = in_host(client, "curl", "-sS", "--cacert", CA, *resolve, f"https://{PORTAL}/healthz", check=False)
    assert ok.returncode == 0 and ok.stdout.strip() == "ok", ok.stderr
    # The certificate names the portal and nothing else it was not issued for.
    wrong = ["--resolve", f"portal.invalid:443:{rp.mgmt_address}"]
    bad = in_host(
        client, "curl", "-sS", "--cacert", CA, *wrong, "https://portal.invalid/healthz", check=False
    )
    assert bad.returncode == 60, bad.stderr  # curl: peer certificate cannot be authenticated
    # Plain HTTP for the portal only redirects to HTTPS.
    redirect = in_host(
        client,
        "curl",
        "-sS",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code} %{redirect_url}",
        "-H",
        f"Host: {PORTAL}",
        f"http://{rp.mgmt_address}/",
        check=False,
    )
    assert redirect.stdout == f"301 https://{PORTAL}/"


def _router_lines(lab: LabStatus, inv: Inventory, round_: str) -> dict[str, str]:
    """One plain TCP syslog line from each lab router, from inside its namespace and from its
    management address, to the collector's plain-syslog port: {router: marker}."""
    soc = str(inv.services.syslog.address)
    markers = {}
    for node in lab.of_kind("router"):
        markers[node.name] = f"provdc-{round_}-{uuid.uuid4().hex[:12]}"
        sent = in_host(
            node.name,
            "python3",
            "-c",
            SEND_FROM,
            node.mgmt_address,
            soc,
            "514",
            node.name,
            markers[node.name],
        )
        assert sent.returncode == 0, (node.name, sent.stderr)
    return markers


def test_every_router_line_reaches_the_collector_over_plain_syslog(
    lab: LabStatus, applied: Any, inv: Inventory
) -> None:
    """Each lab router (FRR has no network syslog sender of its own) sends a plain TCP syslog line
    over the lab's WAN and the DC core; each is filed under that router's inventory address. After
    a restart of the collector, a second line from every router arrives too. Last in this file:
    the restart breaks the hosts' RELP sessions, whose lines then wait out omrelp's reconnect."""
    collector = _host_at(lab, inv.services.syslog.address)
    for round_ in ("plain", "restarted"):
        if round_ == "restarted":
            in_host(collector, "service", "rsyslog", "restart")
            deadline = time.monotonic() + 30
            while ":514 " not in in_host(collector, "ss", "-Htln").stdout and time.monotonic() < deadline:
                time.sleep(0.5)
        markers = _router_lines(lab, inv, round_)
        arrived = _wait_lines(lab, inv, list(markers.values()), 60)
        assert sorted(n for n, m in markers.items() if m not in arrived) == [], round_
        for node in lab.of_kind("router"):
            lines = _soc_lines(lab, inv, markers[node.name])
            assert list(lines) == [node.mgmt_address] and node.mgmt_address in _router_addresses(
                inv, node.name
            )
            assert f" imtcp {node.name} provdc-test" in lines[node.mgmt_address], lines
