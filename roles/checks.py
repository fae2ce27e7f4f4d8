"""The baseline each role promises, checked on a host through testinfra.

Expected values come from the inventory model (the single source of truth), never from the roles'
own defaults, so a role that drifts from the inventory fails here.
"""

import json
import os
import re
import subprocess
import tempfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from provdc.hosts.selection import PLAYBOOK, HostPlan
from provdc.inventory.model import Inventory

# Ciphers sshd may offer: AEAD and CTR modes only (no CBC, no 3DES, no arcfour).
MODERN_CIPHERS = {
    "chacha20-poly1305@openssh.com",
    "aes256-gcm@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-ctr",
    "aes192-ctr",
    "aes128-ctr",
}
ADMIN_GROUP = "provdc-admins"
SYSNAME_OID = "1.3.6.1.2.1.1.5.0"
GROUP_VARS = PLAYBOOK.parent / "group_vars" / "all.yml"


@dataclass(frozen=True)
class Context:
    """What every check may read: the inventory, the host's plan and the run's secrets."""

    inv: Inventory
    plan: HostPlan
    admin_user: str | None
    admin_key: str | None
    snmp_auth_key: str
    snmp_priv_key: str
    syslog_target: str
    syslog_port: int
    syslog_protocol: str = "relp"
    ca_file: str | None = None  # the target's internal CA certificate, on this machine
    prometheus_files: dict[str, str] | None = None  # `monitor export prometheus` output, by relative path


Result = tuple[bool | None, str]
"""(passed, detail); passed is None where the check cannot apply on this host (reported as skipped)."""
Check = Callable[[Any, Context], Result]


def _cmd(host: Any, command: str, *args: str) -> Any:
    return host.run(command, *args)


def _running(host: Any, process: str) -> Result:
    out = _cmd(host, "pgrep -x %s", process)
    return out.rc == 0, f"{process} pid {out.stdout.split()[0]}" if out.rc == 0 else f"{process} not running"


def _listening(host: Any, proto: str, port: int) -> Result:
    """Something listens on the port, on any address but loopback."""
    flag = "t" if proto == "tcp" else "u"
    out = _cmd(host, f"ss -Hln{flag} 'sport = :{port}'").stdout.split("\n")
    local = [line.split()[3] for line in out if len(line.split()) > 3]
    outside = [a for a in local if not a.startswith(("127.", "[::1]"))]
    return bool(
        outside
    ), f"{proto}/{port} on {', '.join(outside)}" if outside else f"{proto}/{port} not listening"


# common ---------------------------------------------------------------------------------------


def hostname(host: Any, ctx: Context) -> Result:
    name = _cmd(host, "hostname").stdout.strip()
    return name == ctx.plan.name, f"hostname {name!r}, inventory {ctx.plan.name!r}"


def timezone(host: Any, ctx: Context) -> Result:
    want = ctx.inv.province.timezone
    link = _cmd(host, "readlink -f /etc/localtime").stdout.strip()
    return link.endswith("/" + want), f"/etc/localtime -> {link}, inventory {want}"


def ntp_servers(host: Any, ctx: Context) -> Result:
    conf = host.file("/etc/chrony/chrony.conf")
    have = re.findall(r"^server\s+(\S+)", conf.content_string if conf.exists else "", re.M)
    want = [str(a) for a in ctx.inv.services.ntp if a != ctx.plan.vm.address]  # a server never follows itself
    return have == want, f"chrony servers {have}, inventory {want}"


def chrony_running(host: Any, ctx: Context) -> Result:
    return _running(host, "chronyd")


def resolvers(host: Any, ctx: Context) -> Result:
    text = host.file("/etc/resolv.conf").content_string
    have = re.findall(r"^nameserver\s+(\S+)", text, re.M)
    want = [str(a) for a in ctx.inv.services.dns][:3]
    return have == want, f"nameservers {have}, inventory {want}"


def admin_account(host: Any, ctx: Context) -> Result:
    if not ctx.admin_user:
        return True, "no admin account in the target"
    user = host.user(ctx.admin_user)
    if not user.exists:
        return False, f"user {ctx.admin_user} missing"
    if ADMIN_GROUP not in user.groups:
        return False, f"user {ctx.admin_user} not in {ADMIN_GROUP} ({', '.join(user.groups)})"
    keys = host.file(f"{user.home}/.ssh/authorized_keys")
    if not keys.exists or keys.mode != 0o600 or keys.user != ctx.admin_user:
        return False, "authorized_keys missing or not 0600 and owned by the user"
    if ctx.admin_key and ctx.admin_key.split()[1] not in keys.content_string:
        return False, "the target's key is not authorized"
    return True, f"{ctx.admin_user} in {ADMIN_GROUP}, key authorized"


def sudo_rule(host: Any, ctx: Context) -> Result:
    rule = host.file("/etc/sudoers.d/provdc-admins")
    check = _cmd(host, "visudo -c -q")
    ok = rule.exists and rule.mode == 0o440 and f"%{ADMIN_GROUP}" in rule.content_string and check.rc == 0
    return ok, "sudoers.d/provdc-admins 0440, visudo -c passes" if ok else "sudo rule missing or invalid"


# hardening ------------------------------------------------------------------------------------


def sshd_settings(host: Any, ctx: Context) -> Result:
    out = _cmd(host, "sshd -T -C user=nobody,host=x,addr=127.0.0.1")
    if out.rc != 0:
        return False, f"sshd -T failed: {out.stderr.strip()[:200]}"
    conf = dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)
    bad = [
        f"{k}={conf.get(k)}"
        for k, v in (
            ("permitrootlogin", "no"),
            ("passwordauthentication", "no"),
            ("pubkeyauthentication", "yes"),
        )
        if conf.get(k) != v
    ]
    old = sorted(set(conf.get("ciphers", "").split(",")) - MODERN_CIPHERS)
    if old:
        bad.append(f"ciphers {','.join(old)}")
    return not bad, "root and password login off, modern ciphers" if not bad else "; ".join(bad)


def sshd_listening(host: Any, ctx: Context) -> Result:
    return _listening(host, "tcp", 22)


def firewall(host: Any, ctx: Context) -> Result:
    out = _cmd(host, "nft -j list ruleset")
    if out.rc != 0:
        return False, f"nft list ruleset failed: {out.stderr.strip()[:200]}"
    items = json.loads(out.stdout)["nftables"]
    chains = [i["chain"] for i in items if "chain" in i]
    inputs = [c for c in chains if c.get("hook") == "input" and c.get("table") == "provdc"]
    if not inputs or inputs[0].get("policy") != "drop":
        return False, "no input chain with policy drop in table provdc"
    sets = [i["set"] for i in items if "set" in i and i["set"]["name"] == "management"]
    have = {_prefix(e) for e in (sets[0].get("elem", []) if sets else [])}
    want = {str(n) for n in ctx.inv.services.management_networks}
    if not want <= have:
        return False, f"management set {sorted(have)} lacks {sorted(want - have)}"
    return True, f"input policy drop; management {', '.join(sorted(want))}"


def _prefix(elem: Any) -> str:
    if isinstance(elem, dict) and "prefix" in elem:
        return f"{elem['prefix']['addr']}/{elem['prefix']['len']}"
    return f"{elem}/32" if isinstance(elem, str) else str(elem)


def group_vars() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(GROUP_VARS.read_text(encoding="utf-8"))
    return data


def _port(value: Any, inv: Inventory) -> int:
    """A declared port: a number, or the inventory's SOC port or plain syslog port by reference."""
    if isinstance(value, int):
        return value
    refs = {
        "{{ provdc_syslog.port }}": inv.services.syslog.port,
        "{{ provdc_soc_plain_port }}": int(group_vars()["provdc_soc_plain_port"]),
    }
    return refs[str(value).strip()]


def central_services(plan: HostPlan, inv: Inventory) -> list[dict[str, Any]]:
    """The services of a host at one of the inventory's central addresses (SOC, NTP, DNS)."""
    data = group_vars()
    s = inv.services
    out: list[dict[str, Any]] = []
    if plan.vm.address == s.syslog.address:
        out += data["provdc_soc_services"]
    if plan.vm.address in s.ntp:
        out += data["provdc_ntp_services"]
    if plan.vm.address in s.dns:
        out += data["provdc_dns_services"]
    return out


def declared_ports(plan: HostPlan, inv: Inventory) -> set[int]:
    """TCP ports the playbook declares for a host (its group, its central services), plus ssh."""
    services = [
        *group_vars().get("provdc_group_services", {}).get(plan.vm.group, []),
        *central_services(plan, inv),
    ]
    return {22} | {_port(s["port"], inv) for s in services if s.get("proto", "tcp") == "tcp"}


def only_declared_ports(host: Any, ctx: Context) -> Result:
    """The firewall lets in exactly ssh and the services declared for the host."""
    rules = _cmd(host, "nft list chain inet provdc input").stdout
    opened = {int(p) for p in re.findall(r"tcp dport (\d+) accept", rules)}
    want = declared_ports(ctx.plan, ctx.inv)
    return opened == want, f"tcp open {sorted(opened)}, declared {sorted(want)}"


def kernel_parameters(host: Any, ctx: Context) -> Result:
    want = {
        "net/ipv4/tcp_syncookies": "1",
        "net/ipv4/conf/all/rp_filter": "1",
        "net/ipv4/conf/all/accept_redirects": "0",
    }
    bad = [k for k, v in want.items() if _cmd(host, "cat /proc/sys/%s", k).stdout.strip() != v]
    return not bad, "syncookies, rp_filter, no redirects" if not bad else f"wrong: {', '.join(bad)}"


def password_policy(host: Any, ctx: Context) -> Result:
    pwq = host.file("/etc/security/pwquality.conf").content_string
    minlen = re.search(r"^minlen\s*=\s*(\d+)", pwq, re.M)
    pam = host.file("/etc/pam.d/common-auth").content_string
    ok = (
        bool(minlen and int(minlen[1]) >= 12)
        and "pam_faillock.so preauth" in pam
        and "pam_faillock.so authfail" in pam
    )
    return ok, "minlen >= 12, pam_faillock in common-auth" if ok else "password or lockout policy missing"


def audit(host: Any, ctx: Context) -> Result:
    rules = host.file("/etc/audit/rules.d/90-provdc.rules")
    if not rules.exists:
        return False, "audit rules missing"
    # auditctl exits 255 where the kernel does not answer; ssh backends read 255 as a lost link.
    if _cmd(host, "auditctl -s >/dev/null 2>&1; echo $?").stdout.strip() != "0":
        return None, "rules in place; kernel audit does not answer here, so auditd cannot run"
    return _running(host, "auditd")


# snmp_agent -----------------------------------------------------------------------------------


def snmpd_v3_only(host: Any, ctx: Context) -> Result:
    conf = _cmd(host, "cat /etc/snmp/snmpd.conf").stdout
    community = re.findall(r"^\s*(rocommunity6?|rwcommunity6?|com2sec6?)\b", conf, re.M)
    rouser = re.search(rf"^rouser\s+(-s usm\s+)?{re.escape(ctx.inv.services.snmp.user)}\s+priv\b", conf, re.M)
    ok = not community and rouser is not None
    return ok, "rouser authPriv, no community" if ok else f"community lines {community} or no authPriv rouser"


def snmpd_listening(host: Any, ctx: Context) -> Result:
    return _listening(host, "udp", 161)


def snmpv3_get(host: Any, ctx: Context) -> Result:
    """sysName over SNMPv3 authPriv from this machine, with net-snmp's snmpget (numeric OIDs)."""
    snmp = ctx.inv.services.snmp
    with tempfile.TemporaryDirectory(prefix="provdc-snmp-") as tmp:
        conf = Path(tmp) / "snmp.conf"
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(
                f"defSecurityName {snmp.user}\ndefSecurityLevel authPriv\ndefAuthType {snmp.auth}\n"
                f"defPrivType {snmp.priv}\ndefAuthPassphrase {ctx.snmp_auth_key}\n"
                f"defPrivPassphrase {ctx.snmp_priv_key}\n"
            )
        env = {**os.environ, "SNMPCONFPATH": tmp, "HOME": tmp}
        try:
            out = subprocess.run(
                ["snmpget", "-v3", "-On", "-Oqv", "-t", "2", "-r", "1", ctx.plan.address, SYSNAME_OID],
                capture_output=True,
                text=True,
                env=env,
                timeout=15,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"snmpget: {exc}"
    value = out.stdout.strip().strip('"')
    ok = out.returncode == 0 and value == ctx.plan.name
    return ok, f"sysName {value!r}" if out.returncode == 0 else f"snmpget: {out.stderr.strip()[:200]}"


# log_forwarding -------------------------------------------------------------------------------


def rsyslog_forwarding(host: Any, ctx: Context) -> Result:
    conf = host.file("/etc/rsyslog.d/60-provdc-soc.conf")
    text = conf.content_string if conf.exists else ""
    transport = ('type="omrelp"', 'tls="on"') if ctx.syslog_protocol == "relp" else ('protocol="tcp"',)
    want = (f'target="{ctx.syslog_target}"', f'port="{ctx.syslog_port}"', *transport, "queue.filename=")
    missing = [w for w in want if w not in text]
    return (
        not missing,
        f"to {ctx.syslog_target}:{ctx.syslog_port}/{ctx.syslog_protocol}, disk-assisted"
        if not missing
        else f"missing {missing}",
    )


def rsyslog_running(host: Any, ctx: Context) -> Result:
    return _running(host, "rsyslogd")


# reverse_proxy --------------------------------------------------------------------------------


def nginx_config(host: Any, ctx: Context) -> Result:
    out = _cmd(host, "nginx -t -q")
    return out.rc == 0, "nginx -t passes" if out.rc == 0 else out.stderr.strip()[:200]


def nginx_listening(host: Any, ctx: Context) -> Result:
    return _listening(host, "tcp", 80)


def nginx_health(host: Any, ctx: Context) -> Result:
    """GET /healthz from this machine: through the firewall, as a portal user would come."""
    url = f"http://{ctx.plan.address}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            body = resp.read().decode().strip()
            return resp.status == 200 and body == "ok", f"GET {url}: {resp.status} {body!r}"
    except OSError as exc:
        return False, f"GET {url}: {exc}"


# postgresql -----------------------------------------------------------------------------------


def postgres_listening(host: Any, ctx: Context) -> Result:
    return _listening(host, "tcp", 5432)


def postgres_answers(host: Any, ctx: Context) -> Result:
    out = _cmd(host, "runuser -u postgres -- psql -XAtc 'select 1'")
    return out.stdout.strip() == "1", "psql select 1" if out.rc == 0 else out.stderr.strip()[:200]


def postgres_no_trust(host: Any, ctx: Context) -> Result:
    out = _cmd(
        host,
        "runuser -u postgres -- psql -XAtc "
        "'select count(*) from pg_hba_file_rules where auth_method = $$trust$$'",
    )
    return out.stdout.strip() == "0", f"trust rules: {out.stdout.strip() or out.stderr.strip()[:100]}"


CHECKS: dict[str, list[tuple[str, Check]]] = {
    "common": [
        ("hostname", hostname),
        ("timezone", timezone),
        ("ntp servers", ntp_servers),
        ("chronyd running", chrony_running),
        ("resolvers", resolvers),
        ("admin account", admin_account),
        ("sudo rule", sudo_rule),
    ],
    "hardening": [
        ("sshd settings", sshd_settings),
        ("sshd listening", sshd_listening),
        ("firewall", firewall),
        ("open ports", only_declared_ports),
        ("kernel parameters", kernel_parameters),
        ("password and lockout policy", password_policy),
        ("audit", audit),
    ],
    "snmp_agent": [
        ("snmpd v3 only", snmpd_v3_only),
        ("snmpd listening", snmpd_listening),
        ("snmpv3 get", snmpv3_get),
    ],
    "log_forwarding": [
        ("forwarding to the SOC", rsyslog_forwarding),
        ("rsyslogd running", rsyslog_running),
    ],
    "reverse_proxy": [
        ("nginx -t", nginx_config),
        ("nginx listening", nginx_listening),
        ("health page", nginx_health),
    ],
    "postgresql": [
        ("postgres listening", postgres_listening),
        ("postgres answers", postgres_answers),
        ("no trust rules", postgres_no_trust),
    ],
}
