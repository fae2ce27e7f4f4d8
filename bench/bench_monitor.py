"""300 snmpsim agents polled with the standard profile (system group + IF-MIB columns).

Agents: 50 UDP endpoints × 6 recordings of real devices (APC PDU, NetApp, HP OA, Huawei, Cisco,
Juniper); each (endpoint, community) is an agent. snmpsim serves them from two processes (one per
core). Peer: net-snmp, `snmpget` of the system group and one `snmpbulkwalk` per IF-MIB column per
agent, 8 agents at a time with `xargs -P 8`, as a shell script would, over the same OIDs.
Two cases: a full poll, and a steady cycle without the label columns (ifName, ifDescr), which
`watch` and `serve` refresh only every tenth cycle.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from runner import Row

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "monitoring"))
from snmp_agents import Snmpsim, free_udp_ports, start_snmpsim

from provdc.inventory import load_inventory
from provdc.monitoring.poller import PollOptions
from provdc.monitoring.profiles import standard_profile
from provdc.monitoring.results import Agent
from provdc.monitoring.run import poll_and_check
from provdc.monitoring.snmp import V2c

COMMUNITIES = ["apc-pdu", "netapp-fas3270", "hp-oa", "huawei-s5720", "cisco-c3560", "juniper-mx960"]
ENDPOINTS = 50
REPEAT = 3
PEER = """
host=$1; community=$2
snmpget -v2c -c "$community" -On -t 5 -r 1 "$host" {system} >/dev/null
for oid in {columns}; do snmpbulkwalk -v2c -c "$community" -On -Cr25 -t 5 -r 1 "$host" "$oid" >/dev/null; done
"""


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _ours(agents: list[Agent], options: PollOptions, sims: list[Snmpsim]) -> tuple[float, float, float, int]:
    """Median wall time, our CPU and snmpsim's CPU per poll, interfaces read."""
    thresholds = load_inventory().thresholds
    walls, cpus, sim_cpus, interfaces = [], [], [], 0
    for _ in range(REPEAT):
        sim0 = sum(_cpu_s(s.process.pid) for s in sims)
        cpu0, start = time.process_time(), time.perf_counter()
        results = poll_and_check(agents, thresholds, options)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu0)
        sim_cpus.append(sum(_cpu_s(s.process.pid) for s in sims) - sim0)
        bad = [f"{r.name}: {r.error}" for r in results if not r.reachable or r.error]
        if bad:
            raise RuntimeError(f"bench: {len(bad)} agents failed, e.g. {bad[:2]}")
        interfaces = sum(len(r.interfaces) for r in results)
    return _median(walls), _median(cpus), _median(sim_cpus), interfaces


def _peer(agents: list[Agent], labels: bool) -> float:
    groups = standard_profile().groups
    system = " ".join(c.oid for g in groups if not g.table for c in g.columns.values())
    columns = " ".join(c.oid for g in groups if g.table for c in g.columns.values() if labels or not c.label)
    communities = [a.credentials.community for a in agents if isinstance(a.credentials, V2c)]
    assert len(communities) == len(agents), "the peer polls v2c agents only"
    listing = "".join(f"127.0.0.1:{a.port} {c}\n" for a, c in zip(agents, communities, strict=True))
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "peer.sh"
        script.write_text(PEER.format(system=system, columns=columns))
        times = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            subprocess.run(
                ["xargs", "-P", "8", "-n", "2", "bash", str(script)],
                input=listing,
                text=True,
                check=True,
                capture_output=True,
            )
            times.append(time.perf_counter() - start)
    return _median(times)


def run() -> list[Row]:
    ports = free_udp_ports(ENDPOINTS)
    half = ENDPOINTS // 2
    sims = [start_snmpsim(ports[:half]), start_snmpsim(ports[half:])]
    rows = []
    try:
        agents = [
            Agent(f"{c}@{p}", "127.0.0.1", p, V2c(c), profile="standard") for p in ports for c in COMMUNITIES
        ]
        full = PollOptions(timeout=5, retries=1, deadline=60, concurrency=32)
        poll_and_check(agents, load_inventory().thresholds, full)  # snmpsim's first answers build indices
        for what, options in (("full poll", full), ("steady cycle, no labels", replace(full, labels=False))):
            wall, cpu, sim_cpu, interfaces = _ours(agents, options, sims)
            peer = _peer(agents, options.labels)
            rows.append(
                Row(
                    f"300 agents, standard profile, {what} ({interfaces} interfaces; median of {REPEAT})",
                    wall,
                    "net-snmp snmpget + snmpbulkwalk per column, xargs -P 8",
                    peer,
                    f"goal < 3 s; CPU per poll: provdc {cpu:.1f} s, snmpsim {sim_cpu:.1f} s (2 cores)",
                )
            )
    finally:
        for sim in sims:
            sim.stop()
    return rows
