"""Poll then check, once (`poll`), in a loop with rates (`watch`) or for Prometheus (`serve`).

One event loop for the whole run, so the SNMP engines and transport targets are made once.
Labels (ifName…) are fetched on the first cycle and then every `label_every` cycles only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from provdc.inventory.model import Levels
from provdc.monitoring.checks import evaluate
from provdc.monitoring.poller import PollOptions, poll_agents
from provdc.monitoring.rates import CounterRates
from provdc.monitoring.results import Agent, DeviceResult
from provdc.monitoring.snmp import Engines

Rates = dict[str, dict[int, tuple[float, float]]]  # device → ifIndex → in/out bit/s


def _keep_labels(result: DeviceResult, previous: DeviceResult | None) -> DeviceResult:
    """Interface names from the last full poll when this one skipped the label columns."""
    if previous is None:
        return result
    names = {i.index: i.name for i in previous.interfaces}
    result.interfaces = [
        replace(i, name=names.get(i.index, i.name)) if i.name == f"if{i.index}" else i
        for i in result.interfaces
    ]
    return result


def poll_and_check(
    agents: Sequence[Agent], thresholds: Mapping[str, Levels], options: PollOptions, sample: float = 0
) -> list[DeviceResult]:
    """One poll with checks; with `sample` > 0 a second poll that many seconds later gives rates."""

    async def go() -> list[DeviceResult]:
        engines = Engines()
        try:
            if sample <= 0:
                results = await poll_agents(agents, options, engines)
                rates: Rates = {}
            else:
                results, rates = await _two_polls(agents, options, engines, sample)
        finally:
            engines.close()
        for agent, result in zip(agents, results, strict=True):
            result.checks = evaluate(result, agent, thresholds, rates.get(result.name))
        return results

    return asyncio.run(go())


async def _two_polls(
    agents: Sequence[Agent], options: PollOptions, engines: Engines, sample: float
) -> tuple[list[DeviceResult], Rates]:
    counters = CounterRates()
    first = await poll_agents(agents, options, engines)
    at = time.monotonic()
    for r in first:
        counters.update(r, at)
    await asyncio.sleep(sample)
    results = await poll_agents(agents, replace(options, labels=False), engines)
    at = time.monotonic()
    results = [_keep_labels(r, p) for r, p in zip(results, first, strict=True)]
    return results, {r.name: counters.update(r, at) for r in results}


def run_cycles(
    agents: Sequence[Agent],
    thresholds: Mapping[str, Levels],
    options: PollOptions,
    interval: float,
    show: Callable[[list[DeviceResult], Rates], None],
    count: int = 0,
    label_every: int = 10,
) -> None:
    """Poll every `interval` seconds (`count` cycles, 0 for ever), calling `show` after each."""

    async def go() -> None:
        engines = Engines()
        counters = CounterRates()
        previous: list[DeviceResult | None] = [None] * len(agents)
        cycle = 0
        try:
            while count == 0 or cycle < count:
                started = time.monotonic()
                labels = cycle % label_every == 0
                results = await poll_agents(agents, replace(options, labels=labels), engines)
                at = time.monotonic()
                results = [_keep_labels(r, p) for r, p in zip(results, previous, strict=True)]
                rates = {r.name: counters.update(r, at) for r in results}
                for agent, result in zip(agents, results, strict=True):
                    result.checks = evaluate(result, agent, thresholds, rates.get(result.name))
                previous = [r if r.reachable else p for r, p in zip(results, previous, strict=True)]
                show(results, rates)
                cycle += 1
                if count == 0 or cycle < count:
                    await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))
        finally:
            engines.close()

    asyncio.run(go())
