"""The IOC status page rendered from hostile names, read back by headless Chromium.

A name is inventory text: here it carries markup, quotes and an SVG/HTML breakout attempt. The DOM
Chromium builds must hold the name as text and no element the name tried to open.
"""

from __future__ import annotations

import re
from pathlib import Path

import chromium
import pytest

from provdc.monitoring.status_page import PageCounts, render, schematic
from provdc.monitoring.status_page_state import Overview, SiteStatus

HOSTILE = '<script>document.title="owned"</script><img src=x onerror=alert(1)>"\' &amp; </svg><b>x</b>'


def _view() -> Overview:
    sites = (
        SiteStatus("dc", "dc", "Trung tâm dữ liệu tỉnh Hải Dương", None, "up", "connected", 10, 10),
        SiteStatus("dist-288", "district", "Hải Dương", None, "up", "connected", 2, 2),
        SiteStatus("com-10507", "commune", HOSTILE, "dist-288", "down", f"WAN {HOSTILE} down", 1, 0),
        SiteStatus("com-10510", "commune", "Bình Hàn", "dist-288", "degraded", "1 failed check(s)", 1, 1),
        SiteStatus("com-10513", "commune", "Ngọc Châu", "dist-288", "unknown", "not polled", 1, 0),
    )
    return Overview(sites, devices_polled=4, devices_unreachable=1, mcus=0, mcus_up=0)


def test_names_are_text_never_markup(tmp_path: Path) -> None:
    page = render(_view(), PageCounts(alerts_firing=3, updated="2026-12-02 19:00:00"), HOSTILE, 30)
    assert "<script" not in page and "<img" not in page and "<b>x" not in page
    if chromium.binary() is None:
        pytest.skip("chromium (Debian) missing")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    dom = chromium.dump_dom((tmp_path / "page.html").as_uri(), tmp_path / "chrome")
    assert "<script" not in dom and "<img" not in dom and "<b>x</b>" not in dom
    assert 'document.title="owned"' in dom.replace("&quot;", '"')  # shown as text
    assert re.search(r"<title>Trung tâm giám sát, điều hành — &lt;script&gt;", dom)
    # the hostile site is still drawn, in its state's colour, with its name as a tooltip
    element = re.search(r'<g id="site-com-10507"[^>]*data-state="down"[^>]*>(.*?)</g>', dom, re.S)
    assert element and "&lt;script&gt;" in element.group(1)
    # one of three communes connected: the degraded one (down and not polled are not)
    assert re.search(r'data-count="communes-connected"><b>1/3</b>', dom)
    assert re.search(r'data-count="alerts-firing"><b>3</b>', dom)


def test_schematic_alone_is_well_formed_svg(tmp_path: Path) -> None:
    """The drawing by itself (/schematic.svg) parses as XML in Chromium: escaping fits SVG too."""
    if chromium.binary() is None:
        pytest.skip("chromium (Debian) missing")
    (tmp_path / "s.svg").write_text(schematic(_view()), encoding="utf-8")
    dom = chromium.dump_dom((tmp_path / "s.svg").as_uri(), tmp_path / "chrome")
    assert "parsererror" not in dom and "This page contains the following errors" not in dom
    assert dom.count('class="site state-') == 5
