"""Fixtures of the host tests: the lab's hosts, commands inside them, and a syslog collector."""

import contextlib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from provdc.inventory.targets import Target, load_target
from provdc.lab.status import LabStatus

from .labreset import reset_lab_hosts

__all__ = ["Collector", "in_host", "reset_lab_hosts"]

COLLECTOR_PORT = 16514  # on the machine's lab address: the SOC collector, overridden for the lab


@dataclass
class Collector:
    """A syslog-over-TCP collector (LF framing, as rsyslog's omfwd sends) that can go down and up."""

    address: str
    port: int
    lines: list[str] = field(default_factory=list)
    _server: socket.socket | None = None
    _clients: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((self.address, self.port))
        srv.listen(16)
        srv.settimeout(0.5)
        self._server = srv
        threading.Thread(target=self._accept, args=(srv,), daemon=True).start()

    def _accept(self, srv: socket.socket) -> None:
        while self._server is srv:
            try:
                conn, _ = srv.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._clients.append(conn)
            threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        buf = b""
        while True:
            try:
                chunk = conn.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            *done, buf = buf.split(b"\n")
            with self._lock:
                self.lines.extend(d.decode("utf-8", "replace") for d in done)

    def stop(self) -> None:
        """Close the listener and every connection (FIN): the collector is down."""
        srv, self._server = self._server, None
        if srv is not None:
            srv.close()
        with self._lock:
            for c in self._clients:
                with contextlib.suppress(OSError):
                    c.shutdown(socket.SHUT_RDWR)
                c.close()
            self._clients.clear()

    def wait_for(self, marker: str, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self._lock:
                if any(marker in line for line in self.lines):
                    return True
            time.sleep(0.5)
        return False


@pytest.fixture(scope="session")
def lab_hosts_target(lab: LabStatus) -> Target:
    return load_target("lab")


@pytest.fixture(scope="session")
def collector(lab: LabStatus) -> Iterator[Collector]:
    assert lab.mgmt_source, "the lab reports no machine address"
    c = Collector(lab.mgmt_source, COLLECTOR_PORT)
    c.start()
    yield c
    c.stop()


def in_host(name: str, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """A command inside a lab host's namespaces (nsenter), without going through its sshd."""
    from provdc.lab.access import exec_argv

    return subprocess.run(
        exec_argv(name, list(command)), capture_output=True, text=True, timeout=60, check=check
    )
