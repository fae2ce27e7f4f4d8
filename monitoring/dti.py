"""`provdc report dti`: the province's digital-transformation indicators (docs/dti.md).

From the inventory: the share of communes on the special-purpose network (TSLCD), the share with
video conference, the share of VMs with a Decree 85 security level. From Prometheus over a window:
each site's availability (`avg_over_time(provdc_site_up[window])`, the share of scrapes that
found the site connected) and the overall mean. From the config backups of a target: the share
of site routers whose last backup is fresher than N days.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from provdc.core.errors import ProvdcError
from provdc.inventory.model import Inventory

AVAILABILITY = "avg_over_time(provdc_site_up[{seconds}s])"


@dataclass(frozen=True)
class Share:
    """`count` of `total`, as a fraction (None when `total` is 0)."""

    count: int
    total: int

    @property
    def value(self) -> float | None:
        return self.count / self.total if self.total else None

    def shown(self) -> str:
        v = self.value
        return "–" if v is None else f"{v * 100:.1f} % ({self.count}/{self.total})"


@dataclass(frozen=True)
class DtiReport:
    province: str
    start: str
    end: str
    communes_on_tslcd: Share
    communes_with_vc: Share
    vms_with_security_level: Share
    backups_fresh: Share
    backup_days: int
    availability: dict[str, float] = field(default_factory=dict)  # site id → 0..1
    availability_overall: float | None = None
    prometheus: str | None = None

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("communes_on_tslcd", "communes_with_vc", "vms_with_security_level", "backups_fresh"):
            share: Share = getattr(self, key)
            data[key] = {"count": share.count, "total": share.total, "value": share.value}
        return data


def parse_when(text: str, option: str) -> datetime:
    """An ISO date or date-time (UTC when no zone is given)."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ProvdcError(f"{option} {text!r}: not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def query(prometheus: str, promql: str, at: datetime) -> list[dict[str, Any]]:
    """An instant query's vector result; one ProvdcError line when Prometheus cannot answer."""
    params = urllib.parse.urlencode({"query": promql, "time": f"{at.timestamp():.3f}"})
    url = f"{prometheus.rstrip('/')}/api/v1/query?{params}"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body = json.load(response)
    except urllib.error.HTTPError as exc:
        raise ProvdcError(f"--prometheus {prometheus}: HTTP {exc.code} for {promql}") from None
    except (OSError, ValueError) as exc:
        raise ProvdcError(f"--prometheus {prometheus}: {getattr(exc, 'reason', exc)}") from None
    if not isinstance(body, dict) or body.get("status") != "success":
        raise ProvdcError(f"--prometheus {prometheus}: no answer to {promql}")
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def availability(inv: Inventory, prometheus: str, start: datetime, end: datetime) -> dict[str, float]:
    """site id → share of the window's scrapes that found it connected (sites with samples only)."""
    seconds = int((end - start).total_seconds())
    site_of = {s.router.hostname: s.id for s in inv.sites.values()}
    found = {}
    for series in query(prometheus, AVAILABILITY.format(seconds=seconds), end):
        device = series.get("metric", {}).get("device")
        if device in site_of:
            found[site_of[device]] = float(series["value"][1])
    return dict(sorted(found.items()))


def backups_fresh(inv: Inventory, folder: Path, days: int, now: datetime) -> Share:
    """Site routers whose backup file (written on every successful backup) is at most `days` old."""
    routers = [s.router.hostname for s in inv.sites.values()]
    fresh = 0
    for name in routers:
        path = folder / f"{name}.cfg"
        if path.is_file():
            age = now.timestamp() - path.stat().st_mtime
            fresh += age <= days * 86400
    return Share(fresh, len(routers))


def build(
    inv: Inventory,
    start: datetime,
    end: datetime,
    prometheus: str | None,
    backups: Path,
    backup_days: int,
    now: datetime | None = None,
) -> DtiReport:
    if end <= start:
        raise ProvdcError("--from must be before --to")
    if backup_days < 0:
        raise ProvdcError(f"--backup-days {backup_days}: give 0 or more")
    communes = inv.sites_of("commune")
    vms = inv.workloads
    report = DtiReport(
        province=inv.province.name,
        start=start.isoformat(),
        end=end.isoformat(),
        communes_on_tslcd=Share(sum(bool(c.wan.circuit_id) for c in communes), len(communes)),
        communes_with_vc=Share(sum(c.vc_endpoints > 0 for c in communes), len(communes)),
        vms_with_security_level=Share(sum(1 <= vm.security_level <= 5 for vm in vms), len(vms)),
        backups_fresh=backups_fresh(inv, backups, backup_days, now or datetime.now(UTC)),
        backup_days=backup_days,
        prometheus=prometheus,
    )
    if prometheus is None:
        return report
    sites = availability(inv, prometheus, start, end)
    overall = sum(sites.values()) / len(sites) if sites else None
    return DtiReport(**{**report.__dict__, "availability": sites, "availability_overall": overall})


def rows(report: DtiReport, inv: Inventory) -> list[tuple[str, str]]:
    """(indicator, value) lines: the shares, then overall and per-site availability."""
    overall = report.availability_overall
    lines = [
        ("communes on the TSLCD", report.communes_on_tslcd.shown()),
        ("communes with video conference", report.communes_with_vc.shown()),
        ("VMs with a Decree 85 security level", report.vms_with_security_level.shown()),
        (f"site routers with a backup ≤ {report.backup_days} days old", report.backups_fresh.shown()),
        ("availability, all sites", "–" if overall is None else f"{overall * 100:.2f} %"),
    ]
    for site_id, value in report.availability.items():
        lines.append((f"availability {site_id} {inv.sites[site_id].name}", f"{value * 100:.2f} %"))
    return lines


def html(report: DtiReport, inv: Inventory) -> str:
    """A standalone HTML page of the report; every text escaped."""
    body = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows(report, inv))
    title = f"Chỉ số chuyển đổi số (DTI) — {report.province}"
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
        f"<p>{escape(report.start)} → {escape(report.end)}</p>"
        f"<table><tr><th>chỉ số</th><th>giá trị</th></tr>{body}</table></body></html>\n"
    )
