"""A real Prometheus snmp_exporter (built by scripts/setup.d/57-snmp-exporter.sh) for tests and bench."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from provdc.monitoring.snmp_exporter_config import write_config

CACHE = Path(os.environ.get("PROVDC_CACHE", "/var/cache/provdc"))
EXPORTER = CACHE / "snmp_exporter-v0.29.0" / "bin" / "snmp_exporter"

Samples = dict[str, list[tuple[dict[str, str], float]]]


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Exporter:
    port: int
    process: subprocess.Popen[bytes]
    folder: Path

    def url(self, target: str, module: str, auth: str) -> str:
        query = urllib.parse.urlencode({"target": target, "module": module, "auth": auth})
        return f"http://127.0.0.1:{self.port}/snmp?{query}"

    def scrape_text(self, target: str, module: str, auth: str, timeout: float = 60) -> str:
        with urllib.request.urlopen(self.url(target, module, auth), timeout=timeout) as answer:
            return str(answer.read().decode("utf-8"))

    def scrape(self, target: str, module: str, auth: str) -> Samples:
        """Samples by metric name as the exporter wrote it (a counter without `_total`): (labels, value)."""
        samples: Samples = {}
        for family in text_string_to_metric_families(self.scrape_text(target, module, auth)):
            for s in family.samples:
                samples.setdefault(family.name, []).append((dict(s.labels), float(s.value)))
        return samples

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_exporter(config: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Exporter:
    """snmp_exporter serving `config` on a free port; waits until it answers /metrics."""
    if not EXPORTER.exists():
        raise RuntimeError(f"no snmp_exporter in {EXPORTER}: run bash scripts/setup.sh snmp-exporter")
    folder = Path(tempfile.mkdtemp(prefix="provdc-snmp-exporter-"))
    path = write_config(folder / "snmp.yml", config)
    port = free_tcp_port()
    process = subprocess.Popen(
        [
            str(EXPORTER),
            f"--config.file={path}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--config.expand-environment-variables",
            "--log.level=warn",
        ],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "exporter.log", "wb"),  # noqa: SIM115 - the process keeps it
    )
    exporter = Exporter(port, process, folder)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (folder / "exporter.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"snmp_exporter exited {process.returncode}: {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1):
                return exporter
        except OSError:
            time.sleep(0.1)
    exporter.stop()
    raise RuntimeError("snmp_exporter did not answer within 20 s")
