"""300 snmpsim agents polled with the standard profile (system group + IF-MIB columns).

Agents: 50 UDP endpoints × 6 recordings of real devices (APC PDU, NetApp, HP OA, Huawei, Cisco,
Juniper); each (endpoint, community) is an agent. snmpsim serves them from two processes (one per
core). Peer: Prometheus snmp_exporter v0.29.0 with the snmp.yml provdc generates for the same
columns (module provdc_standard, one v2c auth per recording), scraped for every agent with the
same number of scrapes in flight as provdc's concurrency. Two cases: a full poll, and a steady
cycle without the label columns (ifName, ifDescr) that `watch` and `serve` refresh every tenth
cycle. Two more rows show the other codecs (net-snmp through ezsnmp, pysnmp) against the same
peer; the default codec for these v2c agents is provdc's own BER (monitoring/ber.py). CPU is
read from /proc for every process involved: provdc (this process), snmp_exporter, snmpsim.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path

from runner import Row

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "monitoring"))
from exporter_agent import Exporter, start_exporter
from snmp_agents import free_udp_ports, start_snmpsim

from provdc.inventory import load_inventory
from provdc.monitoring.poller import PollOptions
from provdc.monitoring.results import Agent
from provdc.monitoring.run import poll_and_check
from provdc.monitoring.snmp import V2c
from provdc.monitoring.snmp_exporter_config import WalkOptions, exporter_config, module_name

COMMUNITIES = ["apc-pdu", "netapp-fas3270", "hp-oa", "huawei-s5720", "cisco-c3560", "juniper-mx960"]
ENDPOINTS = 50
REPEAT = 2
CONCURRENCY = 32


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _measure(
    job: Callable[[], object], groups: list[list[int]], repeat: int
) -> tuple[float, float, list[float]]:
    """Median wall time and CPU of this process, and the median CPU of each group of processes."""
    walls: list[float] = []
    cpus: list[float] = []
    others: list[list[float]] = [[] for _ in groups]
    for _ in range(repeat):
        before = [sum(_cpu_s(p) for p in g) for g in groups]
        cpu0, start = time.process_time(), time.perf_counter()
        job()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu0)
        for i, (g, b) in enumerate(zip(groups, before, strict=True)):
            others[i].append(sum(_cpu_s(p) for p in g) - b)
    return _median(walls), _median(cpus), [_median(o) for o in others]


FAILED: list[str] = []  # agents a poll could not read (an overloaded snmpsim drops requests)


def _ours(agents: list[Agent], options: PollOptions) -> int:
    results = poll_and_check(agents, load_inventory().thresholds, options)
    bad = [f"{r.name}: {r.error}" for r in results if not r.reachable or r.error]
    if len(bad) > len(agents) // 10:
        raise RuntimeError(f"bench: {len(bad)} agents failed, e.g. {bad[:2]}")
    FAILED.extend(bad)
    return sum(len(r.interfaces) for r in results)


def _scrape_all(exporter: Exporter, agents: list[Agent], module: str) -> None:
    def one(agent: Agent) -> None:
        text = exporter.scrape_text(f"127.0.0.1:{agent.port}", module, agent.name.split("@")[0])
        if "snmp_scrape_pdus_returned" not in text or "ifOperStatus{" not in text:
            FAILED.append(f"snmp_exporter {agent.name}")  # counted in the note, as provdc's are

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, agents))


def run() -> list[Row]:
    ports = free_udp_ports(ENDPOINTS)
    half = ENDPOINTS // 2
    sims = [start_snmpsim(ports[:half]), start_snmpsim(ports[half:])]
    walk = WalkOptions(timeout_s=10, retries=2, max_repetitions=25)
    communities = {c: c for c in COMMUNITIES}
    exporters = {
        labels: start_exporter(
            exporter_config(None, communities=communities, profiles=["standard"], labels=labels, walk=walk)
        )
        for labels in (True, False)
    }
    rows = []
    try:
        agents = [
            Agent(f"{c}@{p}", "127.0.0.1", p, V2c(c), profile="standard") for p in ports for c in COMMUNITIES
        ]
        full = PollOptions(timeout=10, retries=2, deadline=120, concurrency=CONCURRENCY)
        interfaces = _ours(agents, full)  # snmpsim's first answers build its indices
        sim_pids = [s.process.pid for s in sims]
        module = module_name("standard")
        cases = [
            ("full poll", full, True, REPEAT),
            ("steady cycle, no labels", replace(full, labels=False), False, REPEAT),
            ("full poll, net-snmp codec (ezsnmp)", replace(full, codec="netsnmp"), True, 1),
            ("full poll, pysnmp codec", replace(full, codec="pysnmp"), True, 1),
        ]
        for what, options, labels, repeat in cases:
            FAILED.clear()
            exporter = exporters[labels]
            wall, cpu, (sim_cpu,) = _measure(partial(_ours, agents, options), [sim_pids], repeat)
            _scrape_all(exporter, agents, module)  # warm the exporter's connections
            peer, _, (exp_cpu, peer_sim) = _measure(
                partial(_scrape_all, exporter, agents, module), [[exporter.process.pid], sim_pids], repeat
            )
            goal = "goal ≤ 1.0× snmp_exporter and ≤ 2 s CPU" if options.codec is None else "codec comparison"
            rows.append(
                Row(
                    f"300 agents, standard profile, {what} ({interfaces} interfaces; median of {repeat})",
                    wall,
                    f"snmp_exporter v0.29.0, generated module provdc_standard, {CONCURRENCY} scrapes at once",
                    peer,
                    f"{goal}; CPU per poll: provdc {cpu:.2f} s, snmpsim {sim_cpu:.1f} s | snmp_exporter "
                    f"{exp_cpu:.2f} s, snmpsim {peer_sim:.1f} s (2 cores; {CONCURRENCY} in flight both)"
                    + (f"; {len(FAILED)} agent polls unanswered (timeout 10 s × 3)" if FAILED else ""),
                )
            )
    finally:
        for exp in exporters.values():
            exp.stop()
        for sim in sims:
            sim.stop()
    return rows
