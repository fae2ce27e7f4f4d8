"""Faults: silent agents, garbage answers, missing objects, a huge table, bad command lines.

Each device gets a clear status, the poll ends by its deadline and nothing raises.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from snmp_agents import Snmpsim, free_udp_ports, net_snmp, start_snmpsim, v2c
from tests_cli import Cli

from provdc.inventory import load_inventory
from provdc.monitoring.poller import PollOptions
from provdc.monitoring.results import Agent, DeviceResult
from provdc.monitoring.run import poll_and_check
from provdc.monitoring.snmp import V2c


class Responder:
    """A UDP 'agent' of our own that answers every request with `reply(request)`."""

    def __init__(self, reply: object) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.requests = 0
        self.stopped = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped:
            try:
                data, peer = self.sock.recvfrom(65535)
            except OSError:
                continue
            self.requests += 1
            answer = self.reply(data) if callable(self.reply) else None
            if answer is not None:
                self.sock.sendto(answer, peer)

    def stop(self) -> None:
        self.stopped = True
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def responder() -> Iterator[type[Responder]]:
    made: list[Responder] = []

    def make(reply: object) -> Responder:
        r = Responder(reply)
        made.append(r)
        return r

    yield make  # type: ignore[misc]
    for r in made:
        r.stop()


def _poll(agents: list[Agent], deadline: float = 3) -> tuple[list[DeviceResult], float]:
    start = time.monotonic()
    options = PollOptions(timeout=0.5, retries=1, deadline=deadline)
    results = poll_and_check(agents, load_inventory().thresholds, options)
    return results, time.monotonic() - start


def _agent(port: int, community: str = "public", profile: str | None = None) -> Agent:
    return Agent(f"agent-{port}", "127.0.0.1", port, V2c(community), profile=profile)


def test_silent_agent_times_out_by_its_deadline(responder: type[Responder]) -> None:
    silent = responder(None)
    results, took = _poll([_agent(silent.port)], deadline=2)
    assert not results[0].reachable
    assert results[0].error and results[0].error.startswith(("timeout:", "deadline"))
    assert silent.requests >= 1 and took < 4


@pytest.mark.parametrize(
    "reply",
    [
        lambda req: b"\x00\x01garbage",  # not BER at all
        lambda req: req[: len(req) // 2],  # a truncated message
        lambda req: req,  # the request itself echoed back (a GetRequest, not a Response)
        lambda req: b"\x30\x82\xff\xff" + req[4:],  # a length that runs past the datagram
    ],
    ids=["garbage", "truncated", "echo", "bad-length"],
)
def test_malformed_answers_are_a_clear_status(responder: type[Responder], reply: object) -> None:
    bad = responder(reply)
    results, took = _poll([_agent(bad.port)], deadline=2)
    assert not results[0].reachable and results[0].error
    assert results[0].checks[0].status == "failed"
    assert took < 4


def test_one_bad_agent_does_not_spoil_the_others(snmpsim: Snmpsim, responder: type[Responder]) -> None:
    bad = responder(lambda req: b"\x30\x03\x02\x01")
    agents = [_agent(bad.port), _agent(snmpsim.port, "apc-pdu"), _agent(free_udp_ports(1)[0])]
    results, took = _poll(agents, deadline=3)
    assert [r.reachable for r in results] == [False, True, False]
    assert results[1].error is None and results[1].interfaces
    assert took < 5


def test_missing_objects_give_no_false_readings(snmpsim: Snmpsim) -> None:
    """A PDU polled with the Cisco profile: noSuchObject / endOfMibView, no sensors, no crash."""
    results, _ = _poll([_agent(snmpsim.port, "apc-pdu", profile="cisco")], deadline=10)
    result = results[0]
    assert result.reachable and result.error is None
    assert result.sensors == []
    assert net_snmp("snmpbulkwalk", snmpsim.port, v2c("apc-pdu"), "1.3.6.1.4.1.9.9.13") == {}


def _huge_ifmib(rows: int) -> bytes:
    lines = [
        "1.3.6.1.2.1.1.1.0|4|huge switch",
        "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10",
        "1.3.6.1.2.1.1.3.0|67|1000",
    ]
    lines += [f"1.3.6.1.2.1.2.2.1.2.{i}|4|port{i}" for i in range(1, rows + 1)]
    lines += [f"1.3.6.1.2.1.2.2.1.8.{i}|2|1" for i in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def huge() -> Iterator[Snmpsim]:
    sim = start_snmpsim(free_udp_ports(1), extra={"huge": _huge_ifmib(20000)})
    yield sim
    sim.stop()


def test_huge_table_is_cut_with_a_status(huge: Snmpsim) -> None:
    start = time.monotonic()
    options = PollOptions(timeout=2, retries=1, deadline=30, max_rows=500)
    result = poll_and_check([_agent(huge.port, "huge", "standard")], load_inventory().thresholds, options)[0]
    assert result.reachable
    assert result.error and "cut at 500 rows" in result.error
    assert len(result.interfaces) == 500
    assert time.monotonic() - start < 30
    assert any(c.name == "complete" and c.status == "unknown" for c in result.checks)


def test_huge_table_stops_at_the_deadline(huge: Snmpsim) -> None:
    start = time.monotonic()
    options = PollOptions(timeout=2, retries=1, deadline=1.5, max_rows=100000)
    result = poll_and_check([_agent(huge.port, "huge", "standard")], load_inventory().thresholds, options)[0]
    assert time.monotonic() - start < 3
    assert result.reachable and result.error == "deadline of 1.5 s passed (partial answer)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agent", "127.0.0.1:99999", "--community", "x"], "--agent: not HOST[:PORT]"),
        (["--agent", "127.0.0.1"], "--agent needs --community"),
        (["--agent", "127.0.0.1", "--target", "lab"], "not both"),
        (
            [
                "--agent",
                "127.0.0.1",
                "--user",
                "u",
                "--auth-key-file",
                "/nonexistent",
                "--priv-key-file",
                "/x",
            ],
            "--auth-key-file /nonexistent",
        ),
        (["--agent", "127.0.0.1", "--community", "x", "--profile", "nope"], "no SNMP profile 'nope'"),
        (["--agent", "127.0.0.1", "--community", "x", "--timeout", "0"], "--timeout"),
        (["--target", "no-such-target"], "no target 'no-such-target'"),
    ],
)
def test_bad_command_lines_are_one_line(provdc_cli: Cli, args: list[str], message: str) -> None:
    out = provdc_cli("monitor", "poll", *args)
    assert out.returncode == 1, out
    assert message in out.stderr and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
