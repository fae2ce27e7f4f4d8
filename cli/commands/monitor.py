"""`provdc monitor`: poll links and hardware over SNMP: checks, watch, Prometheus exposition."""

import contextlib
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from provdc.monitoring.request import AdhocCredentials, FailOn, PollRequest, fails, prepare, worst
from provdc.monitoring.results import DeviceResult, as_json, summary
from provdc.monitoring.run import Rates, poll_and_check, run_cycles
from provdc.options import FormatOpt, InventoryOpt, OptionalTargetOpt, SiteOpt, finite, with_options
from provdc.output import Format, print_json, print_table, rich_table

app = typer.Typer(
    help="Poll links and hardware over SNMP: checks, watch, Prometheus exposition.", no_args_is_help=True
)


def _request(
    target: OptionalTargetOpt = None,
    site: SiteOpt = None,
    agent: Annotated[
        list[str] | None,
        typer.Option("--agent", "-a", help="An agent HOST[:PORT] outside the inventory (repeatable)."),
    ] = None,
    community: Annotated[
        str | None, typer.Option("--community", help="SNMPv2c community (visible in ps: prefer a file).")
    ] = None,
    community_file: Annotated[
        Path | None, typer.Option("--community-file", help="SNMPv2c community from a file.")
    ] = None,
    user: Annotated[str | None, typer.Option("--user", "-u", help="SNMPv3 user (authPriv).")] = None,
    auth_key_file: Annotated[
        Path | None,
        typer.Option("--auth-key-file", help="SNMPv3 auth key file (default: $PROVDC_SNMP_AUTH_KEY)."),
    ] = None,
    priv_key_file: Annotated[
        Path | None,
        typer.Option("--priv-key-file", help="SNMPv3 priv key file (default: $PROVDC_SNMP_PRIV_KEY)."),
    ] = None,
    auth_protocol: Annotated[str, typer.Option("--auth-protocol", help="MD5, SHA, SHA256, SHA512.")] = "SHA",
    priv_protocol: Annotated[
        str, typer.Option("--priv-protocol", help="DES, 3DES, AES, AES192, AES256.")
    ] = "AES",
    profile: Annotated[
        str | None, typer.Option("--profile", help="Device profile for --agent (default: by sysObjectID).")
    ] = None,
    v2c: Annotated[
        bool, typer.Option("--v2c", help="With --target: use the target's community, not SNMPv3.")
    ] = False,
    timeout: Annotated[float, typer.Option("--timeout", callback=finite, help="Seconds per request.")] = 1.0,
    retries: Annotated[int, typer.Option("--retries", help="Retries per request.")] = 1,
    deadline: Annotated[
        float, typer.Option("--deadline", callback=finite, help="Seconds per device for the whole poll.")
    ] = 10.0,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Devices polled at once.")] = 64,
    inventory: InventoryOpt = None,
) -> PollRequest:
    """The options poll, watch and serve share, as one request."""
    credentials = AdhocCredentials(
        community, community_file, user, auth_key_file, priv_key_file, auth_protocol, priv_protocol
    )
    return PollRequest(
        target,
        site,
        tuple(agent or ()),
        credentials,
        profile,
        v2c,
        timeout,
        retries,
        deadline,
        concurrency,
        inventory,
    )


_poll_command = with_options(_request, "request")
IntervalOpt = Annotated[float, typer.Option("--interval", callback=finite, help="Seconds between polls.")]
CountOpt = Annotated[int, typer.Option("--count", help="Stop after this many polls (0: until Ctrl-C).")]


def _device_rows(results: list[DeviceResult], rates: Rates | None = None) -> list[list[object]]:
    rows: list[list[object]] = []
    for r in results:
        up = sum(i.oper_status == "up" for i in r.interfaces)
        failed = sum(c.status == "failed" for c in r.checks)
        row: list[object] = [
            r.name,
            f"{r.address}:{r.port}",
            "yes" if r.reachable else "no",
            r.profile or "-",
            f"{up}/{len(r.interfaces)}",
            len(r.sensors),
            f"{failed} {worst(r)}" if failed else "ok",
        ]
        if rates is not None:
            device = rates.get(r.name, {})
            top = max(device.values(), key=max, default=None)
            row.append(f"{max(top) / 1e6:.2f}" if top else "-")
        row.append(r.error or "")
        rows.append(row)
    return rows


_COLUMNS = ["device", "agent", "reachable", "profile", "links up", "sensors", "checks"]


def _print_table(results: list[DeviceResult]) -> None:
    print_table("SNMP poll", [*_COLUMNS, "error"], _device_rows(results))
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
@_poll_command
def poll(
    request: PollRequest,
    sample: Annotated[
        float,
        typer.Option("--sample", callback=finite, help="Poll twice, this many seconds apart, for rates."),
    ] = 0.0,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Exit 3 when a check fails at this level.")
    ] = FailOn.never,
    fmt: FormatOpt = Format.table,
) -> None:
    """Poll once and check every device against the inventory's thresholds."""
    ready = prepare(request)
    results = poll_and_check(ready.agents, ready.thresholds, request.options(), sample)
    if fmt == Format.json:
        print_json(as_json(results))
    else:
        _print_table(results)
    if fails(results, fail_on):
        raise typer.Exit(3)


@app.command()
@_poll_command
def watch(
    request: PollRequest,
    interval: IntervalOpt = 10.0,
    count: CountOpt = 0,
) -> None:
    """A refreshing table: links up, the busiest link's rate (Mb/s, from ifHC counters), failed checks."""
    ready = prepare(request)
    options = request.options(interval, max_retries=1)
    columns = [*_COLUMNS, "max Mb/s", "error"]
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
            run_cycles(ready.agents, ready.thresholds, options, interval, show, count)
    finally:
        if live is not None:
            live.stop()


@app.command()
@_poll_command
def serve(
    request: PollRequest,
    port: Annotated[int, typer.Option("--port", "-p", help="TCP port of / and /metrics.")] = 9116,
    address: Annotated[str, typer.Option("--address", help="Address to listen on.")] = "127.0.0.1",
    interval: IntervalOpt = 30.0,
    count: CountOpt = 0,
    prometheus: Annotated[
        str | None,
        typer.Option("--prometheus", help="Prometheus URL whose firing alerts the status page counts."),
    ] = None,
) -> None:
    """Poll in a loop; serve the IOC status page at / and Prometheus exposition at /metrics."""
    from prometheus_client.registry import CollectorRegistry

    from provdc.monitoring import status_page_server
    from provdc.monitoring.exporter import PollCollector
    from provdc.monitoring.status_page_state import SiteCollector, mcu_agents

    ready = prepare(request)
    options = request.options(interval)
    agents = list(ready.agents)
    if ready.scope is not None and agents:
        agents += mcu_agents(ready.scope, agents[0])
    inv = ready.inventory
    assert inv is not None  # prepare always loads it
    registry = CollectorRegistry()
    collector = PollCollector()
    sites = SiteCollector(
        inv, agents if ready.scope is not None else [], [a.name for a in agents[len(ready.agents) :]]
    )
    registry.register(collector)
    registry.register(sites)
    refresh = max(2, round(interval))
    page = status_page_server.StatusApp(registry, sites.latest, inv.province.name, refresh, prometheus)
    status_page_server.start(page, address, port)
    sys.stderr.write(f"provdc monitor: serving http://{address}:{port}/ and /metrics\n")

    def show(results: list[DeviceResult], rates: Rates) -> None:
        collector.publish(results)
        sites.publish(results)
        page.polled()

    with contextlib.suppress(KeyboardInterrupt):
        run_cycles(agents, ready.thresholds, options, interval, show, count)


export_app = typer.Typer(help="Configuration for other tools, from the inventory.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("prometheus")
def export_prometheus(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write prometheus.yml, rules, targets.")],
    shards: Annotated[
        int, typer.Option("--shards", help="Prometheus servers sharing the devices (hashmod).")
    ] = 1,
    target: OptionalTargetOpt = None,
    site: SiteOpt = None,
    scrape_interval: Annotated[
        float, typer.Option("--scrape-interval", callback=finite, help="Seconds between scrapes.")
    ] = 30.0,
    serve: Annotated[
        str, typer.Option("--serve", help="HOST:PORT of provdc monitor serve.")
    ] = "127.0.0.1:9116",
    snmp_exporter: Annotated[
        str, typer.Option("--snmp-exporter", help="HOST:PORT of snmp_exporter.")
    ] = "127.0.0.1:9117",
    no_snmp: Annotated[bool, typer.Option("--no-snmp-exporter", help="Leave out the snmp job.")] = False,
    inventory: InventoryOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Write prometheus.yml (one per shard), file_sd targets of every device and the alert rules."""
    from provdc.inventory import load_inventory, load_target
    from provdc.inventory.scope import build_scope
    from provdc.monitoring.prometheus_export import ExportOptions, export

    opts = ExportOptions(out, shards, scrape_interval, serve, snmp_exporter, not no_snmp)
    opts.check()
    inv = load_inventory(inventory)
    scope = build_scope(inv, load_target(target or "prod", inventory), site)
    written = export(scope, opts)
    if fmt == Format.json:
        print_json({"written": [str(p) for p in written]})
    else:
        for path in written:
            sys.stdout.write(f"{path}\n")
