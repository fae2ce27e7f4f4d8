"""Fixtures of the monitoring tests: real agents started once per session."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helpers beside this file (importlib import mode)

from snmp_agents import Snmpd, Snmpsim, free_udp_ports, start_snmpd, start_snmpsim

# A test that starts a real agent carries its marker: `-m "not snmpd and not snmpsim"` leaves unit tests.
AGENT_MARKERS = {"snmpd": "snmpd", "snmpsim": "snmpsim", "huge": "snmpsim"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            if fixture in AGENT_MARKERS:
                item.add_marker(AGENT_MARKERS[fixture])


@pytest.fixture(scope="session")
def snmpsim() -> Iterator[Snmpsim]:
    sim = start_snmpsim(free_udp_ports(1))
    yield sim
    sim.stop()


@pytest.fixture(scope="session")
def snmpd() -> Iterator[Snmpd]:
    agent = start_snmpd(free_udp_ports(1)[0])
    yield agent
    agent.stop()
