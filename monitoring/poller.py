"""Polling many agents at once: a semaphore, a deadline per device, never an exception out.

A device's poll is a GET of the system group (which names the profile when none is given), a GET
of the profile's scalars and one multi-column GETBULK walk of all its table columns.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from provdc.monitoring import readings
from provdc.monitoring.profiles import GroupSpec, profile, profile_for
from provdc.monitoring.results import Agent, DeviceResult
from provdc.monitoring.snmp import AgentSession, Codec, Engines, SnmpError, Value

MAX_GET = 24  # var-binds in one GET: agents answer tooBig above a few dozen


@dataclass(frozen=True)
class PollOptions:
    timeout: float = 1.0  # per request
    retries: int = 1
    deadline: float = 10.0  # per device, for the whole poll
    concurrency: int = 64
    max_rows: int = 5000  # per column: a bigger table is cut and said to be
    labels: bool = True  # False: skip label columns (ifName…), for frequent cycles
    max_values: int = 60  # var-binds per GETBULK answer: keeps datagrams under ~1500 bytes' worth
    max_repetitions: int = 25
    codec: Codec | None = None  # None: the Engines' own (netsnmp unless told otherwise)


def _columns(groups: Sequence[GroupSpec], labels: bool) -> list[str]:
    return [c.oid for g in groups for c in g.columns.values() if labels or not c.label]


async def _get_all(session: AgentSession, oids: list[str]) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for start in range(0, len(oids), MAX_GET):
        values.update(await session.get(oids[start : start + MAX_GET]))
    return values


def _scalar_rows(values: dict[str, Value]) -> dict[str, dict[str, Value]]:
    """Scalars as a one-row table (index "0") so that groups read alike."""
    return {oid: {"0": v} for oid, v in values.items() if v is not None}


class _Poll:
    """One device's poll; fills `result` as it goes so that a deadline keeps what was read."""

    def __init__(self, agent: Agent, options: PollOptions) -> None:
        self.agent = agent
        self.options = options
        self.result = DeviceResult(agent.name, agent.address, agent.port)
        self.by_oid: dict[str, dict[str, Value]] = {}

    async def run(self, engines: Engines) -> None:
        opts, agent = self.options, self.agent
        session = await engines.session(
            agent.credentials, agent.address, agent.port, opts.timeout, opts.retries, opts.codec
        )
        chosen = profile(agent.profile) if agent.profile else None
        system = (chosen or profile("standard")).group("system")
        assert system is not None
        values = await _get_all(session, _columns([system], True))
        self.by_oid.update(_scalar_rows(values))
        self._system(system)
        if chosen is None:
            chosen = profile(profile_for(self.result.sys_object_id or ""))
        self.result.profile = chosen.name
        scalars = [g for g in chosen.groups if not g.table and g.name != "system"]
        if scalars:
            self.by_oid.update(_scalar_rows(await _get_all(session, _columns(scalars, opts.labels))))
        tables = [g for g in chosen.groups if g.table]
        walk = await session.walk(
            _columns(tables, opts.labels),
            max_rows=opts.max_rows,
            max_values=opts.max_values,
            max_repetitions=opts.max_repetitions,
        )
        self.by_oid.update(walk.columns)
        if walk.truncated:
            self.result.error = f"table cut at {opts.max_rows} rows: {', '.join(walk.truncated)}"

    def _system(self, group: GroupSpec) -> None:
        row = readings.rows_of(group, self.by_oid).get("0", {})
        if not row:
            raise SnmpError("error", f"{self.agent.address}:{self.agent.port}: no system group")
        r = self.result
        r.reachable = True
        r.sys_descr = str(row["sysDescr"]) if row.get("sysDescr") is not None else None
        r.sys_object_id = str(row["sysObjectID"]) if row.get("sysObjectID") is not None else None
        uptime = row.get("sysUpTime")
        r.uptime_s = uptime / 100 if isinstance(uptime, int) else None

    def finish(self) -> DeviceResult:
        """Interfaces and sensors from whatever was read."""
        r = self.result
        chosen = profile(r.profile) if r.profile else None
        for group in chosen.groups if chosen else ():
            rows = readings.rows_of(group, self.by_oid)
            if group.name == "interfaces":
                r.interfaces = readings.interfaces(group, rows)
            elif group.sensors:
                r.sensors.extend(readings.sensors(group, rows))
        return r


async def poll_device(agent: Agent, engines: Engines, options: PollOptions) -> DeviceResult:
    start = time.monotonic()
    job = _Poll(agent, options)
    try:
        async with asyncio.timeout(options.deadline):
            await job.run(engines)
    except TimeoutError:
        job.result.error = f"deadline of {options.deadline:g} s passed" + (
            " (partial answer)" if job.result.reachable else ""
        )
    except SnmpError as exc:
        job.result.error = f"{exc.kind}: {exc}"
    except Exception as exc:  # a malformed answer must not take the other devices down
        job.result.error = f"error: {type(exc).__name__}: {exc}"
    job.result.seconds = time.monotonic() - start
    return job.finish()


async def poll_agents(
    agents: Sequence[Agent], options: PollOptions, engines: Engines | None = None
) -> list[DeviceResult]:
    """Every agent polled with at most `options.concurrency` in flight; results in agent order."""
    own = engines is None
    engines = engines or Engines()
    gate = asyncio.Semaphore(options.concurrency)

    async def one(agent: Agent) -> DeviceResult:
        async with gate:
            return await poll_device(agent, engines, options)

    try:
        return list(await asyncio.gather(*(one(a) for a in agents)))
    finally:
        if own:
            engines.close()
