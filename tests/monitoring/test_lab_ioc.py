"""The IOC against the lab: a real Prometheus scrapes `monitor serve`; a commune's WAN is cut.

One run for the module (`ioc`): `monitor export prometheus` for the lab at a 2 s scrape interval,
`monitor serve --target lab --site 'com-105*'` polling every 4 s, Prometheus started on the export; then
`provdc lab link SITE down`, observed, then up again. The tests read what the run saw:

- the WanLinkDown alert fires for the cut site, and only it, from Prometheus's /api/v1/alerts,
  within two scrape intervals of the first scrape that carried the cut, and clears afterwards;
- headless Chromium draws the site red on the status page (DOM and screenshot pixels);
- `report dti` gives the cut site's availability over the window as the cut's own timestamps
  (seen on /metrics, not in Prometheus) say.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import chromium
import pytest
from admin_units import official_names
from tests_cli import Cli

from provdc.inventory.targets import state_dir
from provdc.lab import prometheus

pytestmark = [
    pytest.mark.lab,
    pytest.mark.skipif(shutil.which("prometheus") is None, reason="prometheus (Debian) missing"),
]
SCRAPE = 2.0
POLL = 4.0  # monitor serve's poll interval: a lab poll takes 1-2 s
SITES = "com-105*"  # serve polls the communes of district 288 only: a fast cycle on a busy machine
EVALUATION = SCRAPE / 2  # what the export sets for this scrape interval
ARTIFACTS = state_dir() / "artifacts"


@dataclass
class Run:
    site: str
    device: str
    serve: str
    prom: prometheus.PrometheusServer
    tmp: Path
    first_sample: float = 0.0
    cut: float = 0.0
    cut_seen: float = 0.0  # first /metrics exposition with the WAN down
    fired: float = 0.0
    firing: list[dict[str, Any]] = field(default_factory=list)
    dom: str = ""
    svg_dom: str = ""
    screenshot: Path | None = None
    svg_shot: Path | None = None
    restored: float = 0.0
    restored_seen: float = 0.0
    cleared: float = 0.0
    end: float = 0.0


def _metrics(url: str) -> str:
    try:
        with urllib.request.urlopen(f"{url}/metrics", timeout=2) as response:
            text: str = response.read().decode()
            return text
    except OSError:
        return ""


def _wan(text: str, device: str) -> str | None:
    m = re.search(
        rf'^provdc_wan_link_up\{{device="{re.escape(device)}",interface="[^"]+"\}} (\S+)$', text, re.M
    )
    return m.group(1) if m else None


def _wan_alerts(run: Run) -> list[dict[str, Any]]:
    return [a for a in run.prom.alerts() if a["labels"]["alertname"] == "WanLinkDown"]


def _until(deadline: float, what: str, probe: Any, step: float = 0.2) -> Any:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        got = probe()
        if got:
            return got
        time.sleep(step)
    raise AssertionError(f"{what}: not within {deadline:.0f} s")


@pytest.fixture(scope="module")
def ioc(lab: Any, provdc_cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    tmp = tmp_path_factory.mktemp("ioc")
    node = next(n for n in lab.of_kind("router") if fnmatch(n.site, SITES))
    port, prom_port = prometheus.free_tcp_port(), prometheus.free_tcp_port()
    serve_url, prom_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{prom_port}"
    out = tmp / "prometheus"
    done = provdc_cli(
        "monitor", "export", "prometheus", "--target", "lab", "--out", str(out),
        "--scrape-interval", str(SCRAPE), "--serve", f"127.0.0.1:{port}", "--no-snmp-exporter",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    log = (tmp / "serve.log").open("w")
    serve = subprocess.Popen(
        [
            sys.executable, "-m", "provdc", "monitor", "serve", "--target", "lab", "--site", SITES,
            "--port", str(port), "--interval", str(POLL), "--prometheus", prom_url,
        ],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    prom = prometheus.start(out / "prometheus.yml", tmp / "prom", prom_port)
    run = Run(node.site, node.name, serve_url, prom, tmp)
    try:
        _until(120, "serve exposes the WAN up", lambda: _wan(_metrics(serve_url), node.name) == "1.0")
        query = f'provdc_site_up{{device="{node.name}"}}'
        _until(30, "Prometheus has the site", lambda: run.prom.api("query", query=query)["result"])
        run.first_sample = time.time()
        time.sleep(3 * POLL)  # some connected time before the cut
        run.cut = time.time()
        done = provdc_cli("lab", "link", node.site, "down")
        assert done.returncode == 0, done.stderr
        _until(90, "serve exposes the WAN down", lambda: _wan(_metrics(serve_url), node.name) == "0.0", 0.05)
        run.cut_seen = time.time()
        run.firing = _until(
            30, "WanLinkDown fires", lambda: [a for a in _wan_alerts(run) if a["state"] == "firing"], 0.1
        )
        run.fired = time.time()
        time.sleep(2 * SCRAPE)  # the page polls, Prometheus counts the alert
        run.dom = chromium.dump_dom(f"{serve_url}/", tmp / "chrome")
        run.screenshot = chromium.screenshot(f"{serve_url}/", tmp / "chrome", tmp / "ioc-status-page.png")
        run.svg_dom = chromium.dump_dom(f"{serve_url}/schematic.svg", tmp / "chrome")
        run.svg_shot = chromium.screenshot(
            f"{serve_url}/schematic.svg", tmp / "chrome", tmp / "schematic.png"
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(run.screenshot, ARTIFACTS / "ioc-status-page.png")
        run.restored = time.time()
        done = provdc_cli("lab", "link", node.site, "up")
        assert done.returncode == 0, done.stderr
        _until(
            60, "serve exposes the WAN up again", lambda: _wan(_metrics(serve_url), node.name) == "1.0", 0.05
        )
        run.restored_seen = time.time()
        _until(30, "WanLinkDown clears", lambda: not _wan_alerts(run), 0.2)
        run.cleared = time.time()
        time.sleep(3 * POLL)
        run.end = time.time()
        yield run
    finally:
        provdc_cli("lab", "link", node.site, "up")
        prom.stop()
        serve.terminate()
        serve.wait(timeout=20)
        log.close()


def test_cut_fires_wan_alert_for_that_site_within_two_scrapes(ioc: Run) -> None:
    assert [a["labels"]["site"] for a in ioc.firing] == [ioc.site]
    alert = ioc.firing[0]
    assert alert["labels"]["device"] == ioc.device and alert["labels"]["severity"] == "critical"
    official = official_names()[ioc.site.removeprefix("com-")]
    assert alert["labels"]["name"] == official  # the Vietnamese name, as the province writes it
    # the first sample Prometheus stored with the WAN down: the scrape that carried the cut
    samples = ioc.prom.api(
        "query", query=f'provdc_wan_link_up{{device="{ioc.device}"}}[5m]', time=str(ioc.fired)
    )
    values = samples["result"][0]["values"]
    first_down = min(float(t) for t, v in values if v == "0" and float(t) >= ioc.cut)
    # fired: seen by polling /api/v1/alerts every 0.1 s; allow one evaluation for that
    assert ioc.fired - first_down <= 2 * SCRAPE + EVALUATION + 0.5, (ioc.fired - first_down, values)
    assert ioc.cut_seen - 1 <= first_down <= ioc.cut_seen + SCRAPE + 1


def test_alert_clears_after_restore(ioc: Run) -> None:
    assert ioc.cleared > ioc.restored_seen
    assert ioc.cleared - ioc.restored_seen <= 2 * SCRAPE + EVALUATION + 1


def _site_element(dom: str, site: str) -> str:
    m = re.search(rf'<g id="site-{re.escape(site)}"[^>]*>.*?</g>', dom, re.S)
    assert m, f"no element of {site} in the DOM"
    return m.group(0)


def _fill(element: str) -> tuple[int, int, int]:
    m = re.search(r'fill="#([0-9a-fA-F]{6})"', element)
    assert m
    return tuple(int(m.group(1)[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def _number(element: str, attribute: str) -> float:
    m = re.search(rf'{attribute}="([\d.]+)"', element)
    assert m, (attribute, element)
    return float(m.group(1))


def _red(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return r > 150 and g < 90 and b < 90


def test_page_draws_the_cut_site_red(ioc: Run, lab: Any) -> None:
    cut = _site_element(ioc.dom, ioc.site)
    assert 'data-state="down"' in cut and _red(_fill(cut)), cut
    others = [n.site for n in lab.of_kind("router") if fnmatch(n.site, SITES) and n.site != ioc.site]
    assert others, f"the lab has one commune only under {SITES}"
    for site in others:
        element = _site_element(ioc.dom, site)
        assert 'data-state="up"' in element or 'data-state="degraded"' in element, element
    # the counts: the polled communes but the cut one connected, of the province's 235; an alert firing
    communes = re.search(r'data-count="communes-connected"><b>(\d+)/(\d+)</b>', ioc.dom)
    assert communes and (int(communes.group(1)), int(communes.group(2))) == (len(others), 235)
    alerts = re.search(r'data-count="alerts-firing"><b>(\d+)</b>', ioc.dom)
    assert alerts and int(alerts.group(1)) >= 1
    assert "<script" not in ioc.dom
    # the drawing: the pixel at the middle of the cut site's square is red; a neighbour's is
    # the colour its own state is drawn in (green connected, amber with a failed check), not red
    assert ioc.svg_shot is not None
    for site in (ioc.site, others[0]):
        element = _site_element(ioc.svg_dom, site)
        x, y, w, h = (_number(element, k) for k in ("x", "y", "width", "height"))
        pixel = chromium.png_pixel(ioc.svg_shot, int(x + w / 2), int(y + h / 2))
        assert all(abs(p - f) <= 8 for p, f in zip(pixel, _fill(element), strict=True)), (site, pixel)
        assert _red(pixel) == (site == ioc.site), (site, pixel)
    assert (ARTIFACTS / "ioc-status-page.png").is_file()


def test_dti_availability_from_prometheus(ioc: Run, provdc_cli: Cli) -> None:
    start, end = int(ioc.first_sample) + 1, int(ioc.end) - 1
    iso = {
        k: datetime.fromtimestamp(v, UTC).isoformat(timespec="seconds")
        for k, v in (("from", start), ("to", end))
    }
    done = provdc_cli(
        "report", "dti", "--from", iso["from"], "--to", iso["to"], "--prometheus", ioc.prom.url,
        "--target", "lab", "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    window = end - start
    down = ioc.restored_seen - ioc.cut_seen  # as /metrics showed it, independent of Prometheus
    expected = 1 - down / window
    got = report["availability"][ioc.site]
    assert abs(got - expected) <= (POLL + SCRAPE) / window, (got, expected, window, down)
    others = {k: v for k, v in report["availability"].items() if k != ioc.site}
    assert others and all(v == 1.0 for v in others.values()), others
    overall = (got + sum(others.values())) / (len(others) + 1)
    assert report["availability_overall"] == pytest.approx(overall)
    assert report["communes_on_tslcd"]["total"] == 235
