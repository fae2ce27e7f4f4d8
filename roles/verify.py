"""`provdc hosts verify`: every role's checks on every selected host, through testinfra over SSH."""

import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict

import testinfra  # type: ignore[import-untyped]

from provdc.hosts.checks import Context
from provdc.hosts.runvars import Access, ca_dir, host_access, prometheus_export, public_key
from provdc.hosts.selection import HostPlan, select_hosts
from provdc.hosts.service_checks import ALL_CHECKS
from provdc.inventory.model import Inventory
from provdc.inventory.scope import Scope, build_scope
from provdc.inventory.secrets import secret
from provdc.inventory.targets import Target

Status = Literal["pass", "fail", "skip"]


class CheckResult(TypedDict):
    role: str
    name: str
    status: Status
    detail: str


class HostReport(TypedDict):
    name: str
    address: str
    checks: list[CheckResult]


class Summary(TypedDict):
    passed: int
    failed: int
    skipped: int


class Report(TypedDict):
    hosts: list[HostReport]
    summary: Summary


@dataclass(frozen=True)
class Overrides:
    """Where the hosts were told to send logs, when a run overrode the inventory (the lab)."""

    syslog_target: str | None = None
    syslog_port: int | None = None
    syslog_protocol: str | None = None

    @classmethod
    def from_run_vars(cls, given: Mapping[str, Any]) -> "Overrides":
        """From a run's `--set` role variables: the log_forwarding role's target, port and protocol."""
        port = given.get("log_forwarding_port")
        return cls(
            given.get("log_forwarding_target"),
            int(port) if port else None,
            given.get("log_forwarding_protocol"),
        )


def connect(access: Access, address: str) -> Any:
    """A testinfra host over the ssh command, with sudo, as the target logs in."""
    spec = f"ssh://{access.user}@{address}:{access.port}"
    return testinfra.get_host(
        spec,
        ssh_identity_file=access.key_file,
        ssh_extra_args=" ".join(access.ssh_options()),
        sudo=True,
        controlpersist=30,
    )


def check_host(plan: HostPlan, access: Access, base: Context) -> HostReport:
    ctx = Context(**{**base.__dict__, "plan": plan})
    results: list[CheckResult] = []
    host = connect(access, plan.address)
    probe = None
    try:
        probe = host.run("true")
    except Exception as exc:  # testinfra raises plain exceptions for a failed ssh
        probe_error = str(exc)
    if probe is None or probe.rc != 0:
        detail = probe.stderr.strip() if probe is not None else probe_error
        results.append(
            {"role": "connection", "name": "ssh", "status": "fail", "detail": detail[:200] or "no answer"}
        )
        return {"name": plan.name, "address": plan.address, "checks": results}
    for role in plan.roles:
        for name, fn in ALL_CHECKS.get(role, []):
            try:
                passed, detail = fn(host, ctx)
            except Exception as exc:  # a check that cannot run is a failed check, not a crash
                passed, detail = False, f"{type(exc).__name__}: {exc}"[:200]
            status: Status = "skip" if passed is None else "pass" if passed else "fail"
            results.append({"role": role, "name": name, "status": status, "detail": detail})
    return {"name": plan.name, "address": plan.address, "checks": results}


def exported_prometheus(scope: Scope) -> dict[str, str]:
    """{relative path: text} of what `provdc monitor export prometheus` writes for the scope."""
    with tempfile.TemporaryDirectory(prefix="provdc-verify-") as tmp:
        folder = prometheus_export(scope, Path(tmp))
        return {
            str(p.relative_to(folder)): p.read_text(encoding="utf-8")
            for p in folder.rglob("*")
            if p.is_file()
        }


def verify(
    inv: Inventory, target: Target, limit: str | None = None, overrides: Mapping[str, Any] | None = None
) -> Report:
    """Every role's checks on the selected hosts; `overrides` are the run's `--set` role variables."""
    scope = build_scope(inv, target)
    hosts = select_hosts(scope, limit)
    access = host_access(target)
    key = public_key(access)
    o = Overrides.from_run_vars(overrides or {})
    base = Context(
        inv=inv,
        plan=hosts[0],
        admin_user=access.user if key else None,
        admin_key=key,
        snmp_auth_key=secret(target.snmp.auth_key_ref),
        snmp_priv_key=secret(target.snmp.priv_key_ref),
        syslog_target=o.syslog_target or str(inv.services.syslog.address),
        syslog_port=o.syslog_port or inv.services.syslog.port,
        syslog_protocol=o.syslog_protocol or "relp",
        ca_file=str(ca_dir(target) / "ca.crt") if (ca_dir(target) / "ca.crt").is_file() else None,
        prometheus_files=exported_prometheus(scope) if any("nms" in h.roles for h in hosts) else None,
    )
    with ThreadPoolExecutor(max_workers=8) as pool:
        reports = list(pool.map(lambda p: check_host(p, access, base), hosts))
    statuses = [c["status"] for r in reports for c in r["checks"]]
    summary: Summary = {
        "passed": statuses.count("pass"),
        "failed": statuses.count("fail"),
        "skipped": statuses.count("skip"),
    }
    return {"hosts": reports, "summary": summary}
