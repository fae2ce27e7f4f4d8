"""`monitor watch` and `monitor serve` as processes against a real snmpd."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from snmp_agents import Snmpd, free_udp_ports, net_snmp, v2c
from tests_cli import Cli


def _agent_args(snmpd: Snmpd, tmp_path: Path) -> list[str]:
    community = tmp_path / "community"
    community.write_text(snmpd.community)
    community.chmod(0o600)
    return ["--agent", f"127.0.0.1:{snmpd.port}", "--community-file", str(community)]


def _traffic_on_lo(seconds: float, megabytes: int) -> None:
    """Datagrams to a closed loopback port: they count on lo's ifHCInOctets."""
    port = free_udp_ports(1)[0]
    chunk = b"x" * 60000
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for _ in range(megabytes * 1_000_000 // len(chunk)):
            s.sendto(chunk, ("127.0.0.1", port))
            time.sleep(seconds / (megabytes * 1_000_000 / len(chunk)))


def test_watch_prints_rates_from_counters(snmpd: Snmpd, tmp_path: Path) -> None:
    """Two polls 7 s apart with 30 MB sent on lo right after the first one (snmpd caches its
    interface table a few seconds, so the traffic goes early in the interval)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "provdc",
            "monitor",
            "watch",
            *_agent_args(snmpd, tmp_path),
            "--interval",
            "7",
            "--count",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:  # the first table has been printed once its "-- time" line is
        lines.append(line)
        if line.startswith("-- "):
            break
    _traffic_on_lo(2, 30)
    stdout, stderr = proc.communicate(timeout=60)
    out = subprocess.CompletedProcess(proc.args, proc.returncode, "".join(lines) + stdout, stderr)
    assert out.returncode == 0, out.stderr
    rows = [line.split("\t") for line in out.stdout.splitlines() if line.startswith("127.0.0.1:")]
    assert len(rows) == 2 and out.stdout.count("\n-- ") == 2
    first, second = rows
    assert first[7] == "-"  # one sample: no rate yet
    assert re.fullmatch(r"\d+\.\d\d", second[7]), second  # Mb/s of the busiest interface
    assert float(second[7]) > 30 * 8 / 7 / 2  # at least half the traffic sent, in Mb/s


def test_serve_exposes_the_poll(snmpd: Snmpd, tmp_path: Path) -> None:
    port = free_udp_ports(1)[0]  # a free number; TCP on it is free as well in practice
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "provdc",
            "monitor",
            "serve",
            "--port",
            str(port),
            *_agent_args(snmpd, tmp_path),
            "--interval",
            "1",
            "--count",
            "30",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline, text = time.monotonic() + 20, ""
        while time.monotonic() < deadline and "provdc_device_up{" not in text:
            time.sleep(0.3)
            try:
                text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
            except OSError:
                continue
        assert f'provdc_device_up{{device="127.0.0.1:{snmpd.port}"}} 1.0' in text
        oper = net_snmp("snmpbulkwalk", snmpd.port, v2c(snmpd.community), "1.3.6.1.2.1.2.2.1.8")
        ups = re.findall(r"^provdc_interface_oper_up\{.*\} (\S+)$", text, re.M)
        assert sorted(ups) == sorted("1.0" if v == "1" else "0.0" for v in oper.values())
        lo = re.search(
            r'^provdc_interface_in_octets_total\{device="[^"]+",interface="lo"\} (\S+)$', text, re.M
        )
        assert lo is not None
        after = int(net_snmp("snmpget", snmpd.port, v2c(snmpd.community), "1.3.6.1.2.1.31.1.1.1.6.1")[""])
        assert 0 < float(lo.group(1)) <= after
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_on_a_busy_port_is_one_line(provdc_cli: Cli, snmpd: Snmpd, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        out = provdc_cli(
            "monitor", "serve", "--port", str(busy.getsockname()[1]), *_agent_args(snmpd, tmp_path)
        )
    assert out.returncode == 1 and "cannot listen on" in out.stderr and "Traceback" not in out.stderr
