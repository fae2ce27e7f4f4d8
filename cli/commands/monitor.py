"""`provdc monitor`: poll links and hardware over SNMP: checks, watch, Prometheus exposition."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from enum import StrEnum
from pathlib import Path

import typer

from provdc.core.errors import ProvdcError
from provdc.inventory import load_inventory, load_target
from provdc.inventory.scope import build_scope
from provdc.inventory.secrets import read_secret_file
from provdc.monitoring.poller import PollOptions
from provdc.monitoring.results import Agent, DeviceResult, as_json, summary
from provdc.monitoring.run import Rates, poll_and_check, run_cycles
from provdc.monitoring.snmp import Credentials, V2c
from provdc.monitoring.sources import adhoc_agents, inventory_agents, v3_credentials
from provdc.options import finite, site_glob
from provdc.output import Format, print_json, print_table, rich_table

app = typer.Typer(
    help="Poll links and hardware over SNMP: checks, watch, Prometheus exposition.", no_args_is_help=True
)

TargetOpt = typer.Option(None, "--target", "-t", help="Poll the inventory's devices with this target.")
SiteOpt = typer.Option(
    None, "--site", callback=site_glob, help="Only devices of sites (or names) matching this glob."
)
AgentOpt = typer.Option(
    None, "--agent", "-a", help="An agent HOST[:PORT] outside the inventory (repeatable)."
)
CommunityOpt = typer.Option(None, "--community", help="SNMPv2c community (visible in ps: prefer a file).")
CommunityFileOpt = typer.Option(None, "--community-file", help="SNMPv2c community from a file.")
UserOpt = typer.Option(None, "--user", "-u", help="SNMPv3 user (authPriv).")
AuthKeyOpt = typer.Option(
    None, "--auth-key-file", help="SNMPv3 auth key file (default: $PROVDC_SNMP_AUTH_KEY)."
)
PrivKeyOpt = typer.Option(
    None, "--priv-key-file", help="SNMPv3 priv key file (default: $PROVDC_SNMP_PRIV_KEY)."
)
AuthProtoOpt = typer.Option("SHA", "--auth-protocol", help="MD5, SHA, SHA256, SHA512.")
PrivProtoOpt = typer.Option("AES", "--priv-protocol", help="DES, 3DES, AES, AES192, AES256.")
ProfileOpt = typer.Option(None, "--profile", help="Device profile for --agent (default: by sysObjectID).")
V2cOpt = typer.Option(False, "--v2c", help="With --target: use the target's community, not SNMPv3.")
TimeoutOpt = typer.Option(1.0, "--timeout", callback=finite, help="Seconds per request.")
RetriesOpt = typer.Option(1, "--retries", help="Retries per request.")
DeadlineOpt = typer.Option(
    10.0, "--deadline", callback=finite, help="Seconds per device for the whole poll."
)
ConcurrencyOpt = typer.Option(64, "--concurrency", help="Devices polled at once.")


class FailOn(StrEnum):
    never = "never"
    warning = "warning"
    critical = "critical"


def _credentials(
    community: str | None,
    community_file: Path | None,
    user: str | None,
    auth_key_file: Path | None,
    priv_key_file: Path | None,
    auth_protocol: str,
    priv_protocol: str,
) -> Credentials:
    if user:
        if community or community_file:
            raise ProvdcError("give either --community or --user (SNMPv3), not both")
        auth = (
            read_secret_file(auth_key_file, f"--auth-key-file {auth_key_file}")
            if auth_key_file
            else os.environ.get("PROVDC_SNMP_AUTH_KEY")
        )
        priv = (
            read_secret_file(priv_key_file, f"--priv-key-file {priv_key_file}")
            if priv_key_file
            else os.environ.get("PROVDC_SNMP_PRIV_KEY")
        )
        if not auth or not priv:
            raise ProvdcError("SNMPv3 needs --auth-key-file and --priv-key-file (or $PROVDC_SNMP_*_KEY)")
        return v3_credentials(user, auth, priv, auth_protocol, priv_protocol)
    if community_file:
        return V2c(read_secret_file(community_file, f"--community-file {community_file}"))
    if community:
        return V2c(community)
    raise ProvdcError("--agent needs --community, --community-file or --user with key files")


def _agents(
    target: str | None,
    site: str | None,
    agent: list[str] | None,
    v2c: bool,
    creds: tuple[str | None, Path | None, str | None, Path | None, Path | None, str, str],
    profile: str | None,
) -> list[Agent]:
    if bool(target) == bool(agent):
        raise ProvdcError("give --target T (the inventory's devices) or --agent HOST[:PORT], not both")
    if target:
        inv = load_inventory()
        return inventory_agents(build_scope(inv, load_target(target), site), v2c)
    return adhoc_agents(agent or [], _credentials(*creds), profile)


def _options(timeout: float, retries: int, deadline: float, concurrency: int) -> PollOptions:
    if timeout <= 0 or deadline <= 0 or retries < 0 or concurrency < 1:
        raise ProvdcError("--timeout and --deadline must be > 0, --retries >= 0, --concurrency >= 1")
    return PollOptions(timeout=timeout, retries=retries, deadline=deadline, concurrency=concurrency)


def _device_rows(results: list[DeviceResult], rates: Rates | None = None) -> list[list[object]]:
    rows: list[list[object]] = []
    for r in results:
        up = sum(i.oper_status == "up" for i in r.interfaces)
        failed = [c for c in r.checks if c.status == "failed"]
        worst = (
            "critical" if any(c.severity == "critical" for c in failed) else ("warning" if failed else "ok")
        )
        row: list[object] = [
            r.name,
            f"{r.address}:{r.port}",
            "yes" if r.reachable else "no",
            r.profile or "-",
            f"{up}/{len(r.interfaces)}",
            len(r.sensors),
            f"{len(failed)} {worst}" if failed else "ok",
        ]
        if rates is not None:
            device = rates.get(r.name, {})
            top = max(device.values(), key=max, default=None)
            row.append(f"{max(top) / 1e6:.2f}" if top else "-")
        row.append(r.error or "")
        rows.append(row)
    return rows


def _print_table(results: list[DeviceResult]) -> None:
    print_table(
        "SNMP poll",
        ["device", "agent", "reachable", "profile", "links up", "sensors", "checks", "error"],
        _device_rows(results),
    )
    failed = [(r.name, c) for r in results for c in r.checks if c.status != "ok"]
    if failed:
        print_table(
            "Failed checks",
            ["device", "check", "severity", "status", "message"],
            [[name, c.name, c.severity, c.status, c.message] for name, c in failed],
        )
    s = summary(results)
    sys.stdout.write(
        f"{s['reachable']}/{s['devices']} reachable, {s['failed']} failed checks "
        f"({s['critical']} critical, {s['warning']} warning)\n"
    )


@app.command()
def poll(
    target: str | None = TargetOpt,
    site: str | None = SiteOpt,
    agent: list[str] | None = AgentOpt,
    community: str | None = CommunityOpt,
    community_file: Path | None = CommunityFileOpt,
    user: str | None = UserOpt,
    auth_key_file: Path | None = AuthKeyOpt,
    priv_key_file: Path | None = PrivKeyOpt,
    auth_protocol: str = AuthProtoOpt,
    priv_protocol: str = PrivProtoOpt,
    profile: str | None = ProfileOpt,
    v2c: bool = V2cOpt,
    timeout: float = TimeoutOpt,
    retries: int = RetriesOpt,
    deadline: float = DeadlineOpt,
    concurrency: int = ConcurrencyOpt,
    sample: float = typer.Option(
        0.0, "--sample", callback=finite, help="Poll twice, this many seconds apart, for rates."
    ),
    fail_on: FailOn = typer.Option(
        FailOn.never, "--fail-on", help="Exit 3 when a check fails at this level."
    ),
    fmt: Format = typer.Option(Format.table, "--format", "-f"),
) -> None:
    """Poll once and check every device against the inventory's thresholds."""
    creds = (community, community_file, user, auth_key_file, priv_key_file, auth_protocol, priv_protocol)
    agents = _agents(target, site, agent, v2c, creds, profile)
    options = _options(timeout, retries, deadline, concurrency)
    results = poll_and_check(agents, load_inventory().thresholds, options, sample)
    if fmt == Format.json:
        print_json(as_json(results))
    else:
        _print_table(results)
    failed = [c for r in results for c in r.checks if c.status == "failed"]
    if fail_on == FailOn.critical and any(c.severity == "critical" for c in failed):
        raise typer.Exit(3)
    if fail_on == FailOn.warning and failed:
        raise typer.Exit(3)


@app.command()
def watch(
    target: str | None = TargetOpt,
    site: str | None = SiteOpt,
    agent: list[str] | None = AgentOpt,
    community: str | None = CommunityOpt,
    community_file: Path | None = CommunityFileOpt,
    user: str | None = UserOpt,
    auth_key_file: Path | None = AuthKeyOpt,
    priv_key_file: Path | None = PrivKeyOpt,
    auth_protocol: str = AuthProtoOpt,
    priv_protocol: str = PrivProtoOpt,
    profile: str | None = ProfileOpt,
    v2c: bool = V2cOpt,
    timeout: float = TimeoutOpt,
    retries: int = RetriesOpt,
    deadline: float = DeadlineOpt,
    concurrency: int = ConcurrencyOpt,
    interval: float = typer.Option(10.0, "--interval", callback=finite, help="Seconds between polls."),
    count: int = typer.Option(0, "--count", help="Stop after this many polls (0: until Ctrl-C)."),
) -> None:
    """A refreshing table: links up, the busiest link's rate (Mb/s, from ifHC counters), failed checks."""
    creds = (community, community_file, user, auth_key_file, priv_key_file, auth_protocol, priv_protocol)
    agents = _agents(target, site, agent, v2c, creds, profile)
    options = _options(timeout, min(retries, 1), min(deadline, interval), concurrency)
    columns = [
        "device",
        "agent",
        "reachable",
        "profile",
        "links up",
        "sensors",
        "checks",
        "max Mb/s",
        "error",
    ]
    live = None
    if sys.stdout.isatty():
        from rich.live import Live

        live = Live(auto_refresh=False)
        live.start()

    def show(results: list[DeviceResult], rates: Rates) -> None:
        rows = _device_rows(results, rates)
        if live is None:
            print_table("", columns, rows)
            sys.stdout.write(f"-- {time.strftime('%H:%M:%S')}\n")
            sys.stdout.flush()
            return
        title = f"provdc monitor watch — {time.strftime('%H:%M:%S')}"
        live.update(rich_table(title, columns, rows), refresh=True)

    try:
        with contextlib.suppress(KeyboardInterrupt):
            run_cycles(agents, load_inventory().thresholds, options, interval, show, count)
    finally:
        if live is not None:
            live.stop()


@app.command()
def serve(
    port: int = typer.Option(9116, "--port", "-p", help="TCP port of the /metrics endpoint."),
    address: str = typer.Option("127.0.0.1", "--address", help="Address to listen on."),
    target: str | None = TargetOpt,
    site: str | None = SiteOpt,
    agent: list[str] | None = AgentOpt,
    community: str | None = CommunityOpt,
    community_file: Path | None = CommunityFileOpt,
    user: str | None = UserOpt,
    auth_key_file: Path | None = AuthKeyOpt,
    priv_key_file: Path | None = PrivKeyOpt,
    auth_protocol: str = AuthProtoOpt,
    priv_protocol: str = PrivProtoOpt,
    profile: str | None = ProfileOpt,
    v2c: bool = V2cOpt,
    timeout: float = TimeoutOpt,
    retries: int = RetriesOpt,
    deadline: float = DeadlineOpt,
    concurrency: int = ConcurrencyOpt,
    interval: float = typer.Option(30.0, "--interval", callback=finite, help="Seconds between polls."),
    count: int = typer.Option(0, "--count", help="Stop after this many polls (0: for ever)."),
) -> None:
    """Poll in a loop and serve the latest results in Prometheus exposition format."""
    from prometheus_client import start_http_server
    from prometheus_client.registry import CollectorRegistry

    from provdc.monitoring.exporter import PollCollector

    creds = (community, community_file, user, auth_key_file, priv_key_file, auth_protocol, priv_protocol)
    agents = _agents(target, site, agent, v2c, creds, profile)
    options = _options(timeout, retries, min(deadline, interval), concurrency)
    registry = CollectorRegistry()
    collector = PollCollector()
    registry.register(collector)
    try:
        start_http_server(port, addr=address, registry=registry)
    except OSError as exc:
        raise ProvdcError(f"cannot listen on {address}:{port}: {exc.strerror}") from None
    sys.stderr.write(f"provdc monitor: serving http://{address}:{port}/metrics\n")

    def show(results: list[DeviceResult], rates: Rates) -> None:
        collector.publish(results)

    with contextlib.suppress(KeyboardInterrupt):
        run_cycles(agents, load_inventory().thresholds, options, interval, show, count)
