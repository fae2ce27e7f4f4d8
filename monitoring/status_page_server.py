"""The HTTP side of `provdc monitor serve`: `/metrics` for Prometheus, `/` for the IOC page (and
`/schematic.svg`, its drawing alone).

One threaded WSGI server (wsgiref) in a daemon thread: `/metrics` is prometheus_client's own WSGI
app over the serve registry, `/` renders the status page from the latest poll. With a Prometheus
URL the page also counts its firing alerts (GET /api/v1/alerts on that server, a second at most).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIEnvironment

from prometheus_client import make_wsgi_app
from prometheus_client.registry import CollectorRegistry

from provdc.core.errors import ProvdcError
from provdc.monitoring.status_page import PageCounts, render, schematic
from provdc.monitoring.status_page_state import Overview


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def alerts_firing(prometheus: str, timeout: float = 1.0) -> int | None:
    """How many alerts the Prometheus at `prometheus` has firing; None when it cannot be asked."""
    url = prometheus.rstrip("/") + "/api/v1/alerts"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = json.load(response)
    except (OSError, urllib.error.URLError, ValueError):
        return None
    alerts = data.get("data", {}).get("alerts", []) if isinstance(data, dict) else []
    return sum(1 for a in alerts if isinstance(a, dict) and a.get("state") == "firing")


class StatusApp:
    """The WSGI app: `/` the page, `/schematic.svg`, `/metrics` the exposition, anything else 404."""

    def __init__(
        self,
        registry: CollectorRegistry,
        latest: Callable[[], Overview],
        province: str,
        refresh: int,
        prometheus: str | None = None,
    ) -> None:
        self._metrics = make_wsgi_app(registry)
        self._latest = latest
        self._province = province
        self._refresh = refresh
        self._prometheus = prometheus
        self.updated = "chưa có lần đo nào"

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        if path.startswith("/metrics"):
            metrics: Iterable[bytes] = self._metrics(environ, start_response)
            return metrics
        if path == "/schematic.svg":
            body, kind = schematic(self._latest()).encode("utf-8"), "image/svg+xml"
        elif path in ("/", "/index.html"):
            alerts = alerts_firing(self._prometheus) if self._prometheus else None
            page = render(self._latest(), PageCounts(alerts, self.updated), self._province, self._refresh)
            body, kind = page.encode("utf-8"), "text/html; charset=utf-8"
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"not found\n"]
        headers = [
            ("Content-Type", kind),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'"),
        ]
        start_response("200 OK", headers)
        return [body]

    def polled(self) -> None:
        self.updated = time.strftime("%Y-%m-%d %H:%M:%S")


def start(app: StatusApp, address: str, port: int) -> WSGIServer:
    """Listen and serve in a daemon thread; a port in use is one line."""
    try:
        server = make_server(address, port, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    except OSError as exc:
        raise ProvdcError(f"cannot listen on {address}:{port}: {exc.strerror}") from None
    threading.Thread(target=server.serve_forever, daemon=True, name="provdc-serve").start()
    return server
