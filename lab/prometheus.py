"""A real Prometheus server (Debian `prometheus`) beside the lab: started on a configuration that
`provdc monitor export prometheus` wrote, asked over its HTTP API, stopped with its data.

The tests start one per need (fixtures) on a free port and a scratch data folder; it carries
`PROVDC_LAB_PROMETHEUS=<workdir>` in its environment so a leftover can be told from anyone else's.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provdc.core.errors import ProvdcError

BINARY = "prometheus"
MARK = "PROVDC_LAB_PROMETHEUS"


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class PrometheusServer:
    url: str
    process: subprocess.Popen[bytes]
    workdir: Path

    def api(self, path: str, **params: str) -> Any:
        """GET /api/v1/<path>; the `data` of a success, ProvdcError otherwise."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        try:
            with urllib.request.urlopen(f"{self.url}/api/v1/{path}{query}", timeout=10) as response:
                body = json.load(response)
        except (OSError, ValueError) as exc:
            raise ProvdcError(f"prometheus {path}: {exc}") from None
        if body.get("status") != "success":
            raise ProvdcError(f"prometheus {path}: {body.get('error', body)}")
        return body["data"]

    def alerts(self, state: str = "firing") -> list[dict[str, Any]]:
        return [a for a in self.api("alerts")["alerts"] if a.get("state") == state]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start(config: Path, workdir: Path, port: int | None = None, timeout: float = 30) -> PrometheusServer:
    """Start Prometheus on `config`, its data and log in `workdir`; returns once it is ready."""
    binary = shutil.which(BINARY)
    if binary is None:
        raise ProvdcError("prometheus: not installed (Debian package prometheus; scripts/apt-packages.txt)")
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_tcp_port()
    url = f"http://127.0.0.1:{port}"
    log = (workdir / "prometheus.log").open("wb")
    cmd = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={workdir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--web.enable-lifecycle",
        "--log.level=warn",
    ]
    env = {**os.environ, MARK: str(workdir)}
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=config.parent, env=env)
    log.close()
    server = PrometheusServer(url, process, workdir)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (workdir / "prometheus.log").read_text(errors="replace").strip().splitlines()[-1:]
            raise ProvdcError(f"prometheus exited {process.returncode}: {tail[0] if tail else ''}")
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as response:
                if response.status == 200:
                    return server
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    server.stop()
    raise ProvdcError(f"prometheus not ready on {url} after {timeout:.0f} s")
