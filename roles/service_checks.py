"""Checks of the central services (internal CA, SOC collector, NTP, DNS, HTTPS), through testinfra.

Each service runs on the hosts at the inventory's addresses for it (`services:`); on another host
of the same group the check does not apply and is skipped. Expected values come from the inventory
model and from this machine's own clients (a syslog line, an NTP query, a TLS handshake), never
from the roles' defaults.
"""

import json
import re
import shlex
import socket
import ssl
import struct
import time
import urllib.request
import uuid
from typing import Any

import yaml

from provdc.hosts.checks import CHECKS, Check, Context, Result, _cmd, _listening, group_vars
from provdc.hosts.runvars import controller_source
from provdc.inventory.model import Inventory

TLS_DIR = "/etc/provdc/tls"
NTP_PORT = 123
NTP_EPOCH_OFFSET = 2208988800  # seconds from 1900 (NTP) to 1970 (Unix)


def _not_here(ctx: Context, addresses: Any, what: str) -> Result | None:
    if ctx.plan.vm.address in addresses:
        return None
    return None, f"{ctx.plan.address} is not {what} in the inventory"


# internal_ca ----------------------------------------------------------------------------------


def host_certificate(host: Any, ctx: Context) -> Result:
    """The host's certificate chains to the target's CA (the one on this machine) and names the host."""
    out = _cmd(host, f"openssl verify -CAfile {TLS_DIR}/ca.crt {TLS_DIR}/host.crt")
    if out.rc != 0:
        return False, f"openssl verify: {(out.stdout + out.stderr).strip()[:200]}"
    subject = _cmd(host, f"openssl x509 -noout -subject -nameopt RFC2253 -in {TLS_DIR}/host.crt").stdout
    if subject.strip() != f"subject=CN={ctx.plan.name}":
        return False, f"certificate {subject.strip()!r}, inventory {ctx.plan.name!r}"
    if ctx.ca_file:
        with open(ctx.ca_file, encoding="ascii") as fh:
            if host.file(f"{TLS_DIR}/ca.crt").content_string.strip() != fh.read().strip():
                return False, "the host's CA certificate is not the target's"
    key = host.file(f"{TLS_DIR}/host.key")
    if key.mode != 0o600 or key.user != "root":
        return False, f"host.key mode {key.mode:o} owner {key.user}"
    return True, f"CN={ctx.plan.name}, signed by the target's CA, key 0600 root"


# soc_collector --------------------------------------------------------------------------------


def _collector(ctx: Context) -> Result | None:
    return _not_here(ctx, (ctx.inv.services.syslog.address,), "the SOC collector")


def relp_tls_listening(host: Any, ctx: Context) -> Result:
    return _collector(ctx) or _listening(host, "tcp", ctx.inv.services.syslog.port)


def plain_syslog_listening(host: Any, ctx: Context) -> Result:
    skip = _collector(ctx)
    if skip:
        return skip
    port = int(group_vars()["provdc_soc_plain_port"])
    tcp, udp = _listening(host, "tcp", port), _listening(host, "udp", port)
    return bool(tcp[0] and udp[0]), f"{tcp[1]}; {udp[1]}"


def relp_tls_certificate(host: Any, ctx: Context) -> Result:
    """A TLS handshake from this machine to the RELP port: the collector's certificate verifies
    against the target's CA for the collector's inventory name."""
    skip = _collector(ctx)
    if skip:
        return skip
    if not ctx.ca_file:
        return False, "no CA certificate for this target"
    context = ssl.create_default_context(cafile=ctx.ca_file)
    try:
        with (
            socket.create_connection((ctx.plan.address, ctx.inv.services.syslog.port), timeout=5) as sock,
            context.wrap_socket(sock, server_hostname=ctx.plan.name) as tls,
        ):
            cert = tls.getpeercert() or {}
    except ssl.SSLCertVerificationError as exc:
        return False, f"certificate refused: {exc.verify_message}"
    except (OSError, ssl.SSLError) as exc:
        # The collector asks for a client certificate; a refusal after the server's certificate
        # verified still proves the server side, and only a verification error above is a failure.
        if "certificate required" in str(exc).lower() or "alert" in str(exc).lower():
            return True, f"server certificate verified for {ctx.plan.name}; client certificate required"
        return False, f"TLS to {ctx.plan.address}:{ctx.inv.services.syslog.port}: {exc}"
    return True, f"server certificate verified for {ctx.plan.name} ({cert.get('notAfter', '?')})"


def plain_line_received(host: Any, ctx: Context) -> Result:
    """A plain TCP syslog line from this machine lands in the collector's file for this machine."""
    skip = _collector(ctx)
    if skip:
        return skip
    port = int(group_vars()["provdc_soc_plain_port"])
    marker = f"provdc-verify-{uuid.uuid4().hex[:12]}"
    try:
        with socket.create_connection((ctx.plan.address, port), timeout=5) as sock:
            sock.sendall(f"<14>1 - provdc-verify provdc - - - {marker}\n".encode())
    except OSError as exc:
        return False, f"syslog to {ctx.plan.address}:{port}/tcp: {exc}"
    src = controller_source(ctx.plan.address)
    path = f"/var/log/soc/{src}.log"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if _cmd(host, "grep -qF %s %s", marker, path).rc == 0:
            return True, f"line from {src} in {path}"
        time.sleep(0.5)
    return False, f"{marker} not in {path} after 15 s"


# ntp_server -----------------------------------------------------------------------------------


def ntp_listening(host: Any, ctx: Context) -> Result:
    return _not_here(ctx, ctx.inv.services.ntp, "an NTP server") or _listening(host, "udp", NTP_PORT)


def ntp_answers(host: Any, ctx: Context) -> Result:
    """An NTP client request (mode 3) from this machine: a server reply (mode 4), synchronised
    (leap != 3, stratum 1-15), with a transmit time within 5 s of this machine's clock."""
    skip = _not_here(ctx, ctx.inv.services.ntp, "an NTP server")
    if skip:
        return skip
    request = bytes([0x23]) + bytes(47)  # LI 0, version 4, mode 3
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(3)
        try:
            sock.sendto(request, (ctx.plan.address, NTP_PORT))
            reply, _ = sock.recvfrom(512)
        except OSError as exc:
            return False, f"NTP query to {ctx.plan.address}: {exc}"
    if len(reply) < 48:
        return False, f"short NTP reply ({len(reply)} bytes)"
    leap, mode, stratum = reply[0] >> 6, reply[0] & 7, reply[1]
    seconds, fraction = struct.unpack("!II", reply[40:48])
    offset = seconds - NTP_EPOCH_OFFSET + fraction / 2**32 - time.time()
    ok = mode == 4 and leap != 3 and 1 <= stratum <= 15 and abs(offset) < 5
    return ok, f"mode {mode}, leap {leap}, stratum {stratum}, offset {offset:+.3f} s"


# dns_server -----------------------------------------------------------------------------------


def zone_records(inv: Inventory) -> dict[str, str]:
    """Every name the province's zone must hold, with its address: the inventory's VMs and routers."""
    records = {vm.name: str(vm.address) for vm in inv.workloads}
    records |= {s.router.hostname: str(s.router.mgmt_address) for s in inv.sites.values()}
    return records


def dns_listening(host: Any, ctx: Context) -> Result:
    skip = _not_here(ctx, ctx.inv.services.dns, "a DNS server")
    if skip:
        return skip
    udp, tcp = _listening(host, "udp", 53), _listening(host, "tcp", 53)
    return bool(udp[0] and tcp[0]), f"{udp[1]}; {tcp[1]}"


def dig_answers(host: Any, address: str, zone: str, names: list[str]) -> dict[str, list[str]]:
    """A records for `names` in `zone`, asked of `address` with dig on `host` (one run for all)."""
    queries = " ".join(f"{shlex.quote(n + '.' + zone)} A" for n in names)
    out = _cmd(host, f"dig @{address} +norecurse +noall +answer +time=2 +tries=2 {queries}")
    answers: dict[str, list[str]] = {}
    for line in out.stdout.splitlines():
        fields = line.split()
        if len(fields) == 5 and fields[3] == "A":
            answers.setdefault(fields[0].removesuffix(f".{zone}."), []).append(fields[4])
    return answers


def dns_zone(host: Any, ctx: Context) -> Result:
    """Every inventory name answers with its inventory address, from the server itself (dig)."""
    skip = _not_here(ctx, ctx.inv.services.dns, "a DNS server")
    if skip:
        return skip
    want = zone_records(ctx.inv)
    zone = ctx.inv.province.domain
    have = dig_answers(host, ctx.plan.address, zone, sorted(want))
    wrong = sorted(n for n, a in want.items() if have.get(n) != [a])
    return not wrong, f"{len(want) - len(wrong)}/{len(want)} names answer their inventory address" + (
        f"; wrong: {', '.join(wrong[:5])}" if wrong else ""
    )


# reverse_proxy (HTTPS) ------------------------------------------------------------------------


def portal_names(inv: Inventory) -> list[str]:
    """The names the reverse proxies serve (group_vars `provdc_portal_sites`: the province's portal)."""
    return [inv.province.portal_host] if inv.province.portal_host else []


def https_health(host: Any, ctx: Context) -> Result:
    """GET /healthz over HTTPS from this machine for each portal name, verified with the target's CA."""
    if not ctx.ca_file:
        return False, "no CA certificate for this target"
    context = ssl.create_default_context(cafile=ctx.ca_file)
    seen = []
    for name in portal_names(ctx.inv):
        request = f"GET /healthz HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n".encode()
        try:
            with (
                socket.create_connection((ctx.plan.address, 443), timeout=5) as sock,
                context.wrap_socket(sock, server_hostname=name) as tls,
            ):
                tls.sendall(request)
                reply = b""
                while chunk := tls.recv(4096):
                    reply += chunk
        except (OSError, ssl.SSLError) as exc:
            return False, f"https://{name}/healthz at {ctx.plan.address}: {exc}"
        status = re.match(rb"HTTP/1\.1 (\d{3})", reply)
        if not status or status[1] != b"200" or not reply.rstrip().endswith(b"ok"):
            return False, f"https://{name}/healthz: {reply[:80]!r}"
        seen.append(name)
    return True, f"HTTPS 200 ok for {', '.join(seen)}, certificate verified with the target's CA"


def https_listening(host: Any, ctx: Context) -> Result:
    return _listening(host, "tcp", 443)


# nms ------------------------------------------------------------------------------------------

PROMETHEUS_DIR = "/etc/prometheus/provdc"
PROMETHEUS_PORT = 9090


def prometheus_config(host: Any, ctx: Context) -> Result:
    """Every file `provdc monitor export prometheus` writes is on the host, byte for byte."""
    want = ctx.prometheus_files or {}
    if not want:
        return False, "no export to compare with"
    wrong = [
        rel
        for rel, text in sorted(want.items())
        if host.file(f"{PROMETHEUS_DIR}/{rel}").content_string != text
    ]
    return not wrong, f"{len(want) - len(wrong)}/{len(want)} exported files in place" + (
        f"; different: {', '.join(wrong)}" if wrong else ""
    )


def _prometheus_api(ctx: Context, path: str, seconds: float = 30) -> tuple[int, bytes]:
    """GET from Prometheus, retried while it starts (a restart at the end of a run takes seconds)."""
    url = f"http://{ctx.plan.address}:{PROMETHEUS_PORT}{path}"
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return int(resp.status), bytes(resp.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def prometheus_ready(host: Any, ctx: Context) -> Result:
    """/-/ready from this machine (the management network), through the host's firewall."""
    try:
        status, body = _prometheus_api(ctx, "/-/ready")
    except OSError as exc:
        return False, f"GET /-/ready: {exc}"
    return status == 200, f"GET /-/ready: {status} {body.decode(errors='replace').strip()[:60]}"


def prometheus_rules(host: Any, ctx: Context) -> Result:
    """Prometheus itself loaded every rule group of the export (its /api/v1/rules)."""
    want = sorted(
        g["name"]
        for rel, text in (ctx.prometheus_files or {}).items()
        if rel.endswith((".yml", ".yaml")) and not rel.startswith("prometheus")
        for g in (yaml.safe_load(text) or {}).get("groups", [])
    )
    try:
        _, body = _prometheus_api(ctx, "/api/v1/rules")
    except OSError as exc:
        return False, f"GET /api/v1/rules: {exc}"
    have = sorted(g["name"] for g in json.loads(body)["data"]["groups"])
    return bool(want) and have == want, f"rule groups loaded {have}, exported {want}"


SERVICE_CHECKS: dict[str, list[tuple[str, Check]]] = {
    "internal_ca": [("host certificate", host_certificate)],
    "soc_collector": [
        ("relp/tls listening", relp_tls_listening),
        ("plain syslog listening", plain_syslog_listening),
        ("relp/tls certificate", relp_tls_certificate),
        ("plain syslog line received", plain_line_received),
    ],
    "ntp_server": [("ntp listening", ntp_listening), ("ntp answers", ntp_answers)],
    "dns_server": [("dns listening", dns_listening), ("zone from the inventory", dns_zone)],
    "nms": [
        ("prometheus config is the export", prometheus_config),
        ("prometheus ready", prometheus_ready),
        ("prometheus rules loaded", prometheus_rules),
    ],
}

ALL_CHECKS: dict[str, list[tuple[str, Check]]] = {
    **CHECKS,
    **SERVICE_CHECKS,
    "reverse_proxy": [
        *CHECKS["reverse_proxy"],
        ("https listening", https_listening),
        ("https health", https_health),
    ],
}
