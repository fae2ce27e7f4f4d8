"""The IOC status page: every site of the province on one page, coloured by its state.

Rendered on the server as one HTML document with an inline SVG schematic (the data center at the
top, the agencies beside it, the districts below, each district's communes under it, as the
topology groups them) and the same sites as lists by group. Nothing is fetched by the browser:
no script, no font or style sheet from elsewhere. It refreshes itself with a meta refresh.

Every name is inventory text and so hostile: each piece of text and every attribute value goes
through `html.escape` (quotes too), nothing is written into the page unescaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from provdc.monitoring.status_page_state import STATES, Overview, SiteStatus, State

COLOURS: dict[State, str] = {"up": "#2e7d32", "degraded": "#f9a825", "down": "#c62828", "unknown": "#9e9e9e"}
STATE_NAMES: dict[State, str] = {
    "up": "kết nối",
    "degraded": "cảnh báo",
    "down": "mất kết nối",
    "unknown": "chưa rõ",
}
WIDTH = 1280
COLUMN_CELLS = 5  # commune squares per row under a district
CELL = 16
STYLE = """
body{font-family:sans-serif;margin:16px;color:#212121;background:#fafafa}
h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:16px 0 4px}
.counts{display:flex;gap:16px;margin:8px 0 12px}
.count{background:#fff;border:1px solid #ddd;padding:8px 12px;border-radius:4px}
.count b{font-size:22px;display:block}
ul.sites{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:4px}
ul.sites li{padding:2px 6px;border-radius:3px;color:#fff;font-size:12px}
.legend span{display:inline-block;padding:2px 8px;margin-right:6px;color:#fff;border-radius:3px}
svg text{font-size:11px}
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


@dataclass(frozen=True)
class PageCounts:
    alerts_firing: int | None  # None: no Prometheus to ask, or it did not answer
    updated: str  # when the poll shown was taken


def _site_attrs(s: SiteStatus) -> str:
    return (
        f'class="site state-{_e(s.state)}" data-site="{_e(s.id)}" data-kind="{_e(s.kind)}" '
        f'data-state="{_e(s.state)}"'
    )


def _box(s: SiteStatus, x: float, y: float, w: float, h: float, label: str | None = None) -> str:
    title = f"{s.name} ({s.id}): {STATE_NAMES[s.state]}, {s.reason}"
    text = ""
    if label is not None:
        text = f'<text x="{x + w / 2:g}" y="{y + h + 12:g}" text-anchor="middle">{_e(label)}</text>'
    return (
        f'<g id="site-{_e(s.id)}" {_site_attrs(s)}><title>{_e(title)}</title>'
        f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="3" fill="{COLOURS[s.state]}" '
        f'stroke="#424242" stroke-width="0.5"/>{text}</g>'
    )


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" stroke="#bdbdbd"/>'


def schematic(view: Overview) -> str:
    """The SVG: DC/DR on top, agencies in a row, districts as columns with their communes."""
    centres = [s for s in view.sites if s.kind in ("dc", "dr")]
    agencies = view.of_kind("agency")
    districts = view.of_kind("district")
    communes = view.of_kind("commune")
    under: dict[str, list[SiteStatus]] = {d.id: [] for d in districts}
    orphans: list[SiteStatus] = []
    for c in communes:
        under.get(c.parent or "", orphans).append(c)
    parts: list[str] = []
    dc_x, dc_y = WIDTH / 2 - 60, 10
    top = 60
    agency_y = 110
    district_y = 190
    column = WIDTH / max(len(districts), 1)
    for i, s in enumerate(centres):  # side by side, labels 280 px apart
        x = dc_x + (i - (len(centres) - 1) / 2) * 280
        parts.append(_box(s, x, dc_y, 120, 34, s.name))
    step = WIDTH / max(len(agencies), 1)
    for i, s in enumerate(agencies):
        x = i * step + step / 2 - 10
        parts.append(_line(WIDTH / 2, top, x + 10, agency_y))
        parts.append(_box(s, x, agency_y, 20, 20))
    rows = 0
    for i, d in enumerate(districts):
        x = i * column + column / 2
        parts.append(_line(WIDTH / 2, top, x, district_y))
        parts.append(_box(d, x - 30, district_y, 60, 22, d.name))
        for j, c in enumerate(under[d.id]):
            cx = x - COLUMN_CELLS * CELL / 2 + (j % COLUMN_CELLS) * CELL
            cy = district_y + 44 + (j // COLUMN_CELLS) * CELL
            parts.append(_box(c, cx, cy, CELL - 3, CELL - 3))
        rows = max(rows, -(-len(under[d.id]) // COLUMN_CELLS))
    height = district_y + 60 + rows * CELL
    for j, c in enumerate(orphans):
        parts.append(_box(c, 10 + j * CELL, height, CELL - 3, CELL - 3))
    height += CELL * 2 if orphans else 0
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:g}" '
        f'viewBox="0 0 {WIDTH} {height:g}" role="img" aria-label="sơ đồ mạng">' + "".join(parts) + "</svg>"
    )


def _list(sites: Iterable[SiteStatus]) -> str:
    items = "".join(
        f'<li {_site_attrs(s)} style="background:{COLOURS[s.state]}" title="{_e(s.reason)}">{_e(s.name)}</li>'
        for s in sites
    )
    return f'<ul class="sites">{items}</ul>'


def _count(key: str, label: str, value: str) -> str:
    return f'<div class="count" data-count="{_e(key)}"><b>{_e(value)}</b>{_e(label)}</div>'


def render(view: Overview, counts: PageCounts, province: str, refresh: int) -> str:
    """The whole page as HTML text."""
    communes = view.of_kind("commune")
    alerts = "–" if counts.alerts_firing is None else str(counts.alerts_firing)
    boxes = "".join(
        (
            _count(
                "communes-connected",
                "xã, phường, thị trấn kết nối",
                f"{view.communes_connected}/{len(communes)}",
            ),
            _count("vc-up", "điểm cầu truyền hình hội nghị hoạt động", f"{view.vc_up}/{view.vc_planned}"),
            _count(
                "devices-unreachable",
                "thiết bị không phản hồi",
                f"{view.devices_unreachable}/{view.devices_polled}",
            ),
            _count("alerts-firing", "cảnh báo đang kích hoạt", alerts),
        )
    )
    legend = "".join(f'<span style="background:{COLOURS[s]}">{_e(STATE_NAMES[s])}</span>' for s in STATES)
    groups = [f"<h2>Trung tâm dữ liệu</h2>{_list(s for s in view.sites if s.kind in ('dc', 'dr'))}"]
    groups.append(f"<h2>Sở, ban, ngành</h2>{_list(view.of_kind('agency'))}")
    for d in view.of_kind("district"):
        own = [c for c in communes if c.parent == d.id]
        groups.append(f'<h2 data-district="{_e(d.id)}">{_e(d.name)}</h2>{_list([d, *own])}')
    title = f"Trung tâm giám sát, điều hành — {province}"
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="{int(refresh)}">'
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{_e(title)}</h1><div>cập nhật {_e(counts.updated)}</div>"
        f'<div class="counts">{boxes}</div><div class="legend">{legend}</div>'
        f"{schematic(view)}{''.join(groups)}</body></html>"
    )
