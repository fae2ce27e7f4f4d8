"""`provdc report`: indicators for the province's yearly reports (the DTI)."""

import sys
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import typer

from provdc.options import InventoryOpt
from provdc.output import print_json, print_table

app = typer.Typer(
    help="Indicators for the province's reports: the digital-transformation index.", no_args_is_help=True
)


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    html = "html"


@app.command()
def dti(
    start: Annotated[
        str | None,
        typer.Option("--from", help="Window start, YYYY-MM-DD[THH:MM:SS] (UTC; default --to - 30 days)."),
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Window end (default: now).")] = None,
    prometheus: Annotated[
        str | None, typer.Option("--prometheus", help="Prometheus URL for availability (left out: none).")
    ] = None,
    target: Annotated[str, typer.Option("--target", "-t", help="Whose config backups to age.")] = "prod",
    backup_days: Annotated[int, typer.Option("--backup-days", help="A backup older than this is stale.")] = 7,
    inventory: InventoryOpt = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="table, json or html.")
    ] = ReportFormat.table,
) -> None:
    """Shares of communes on the TSLCD and with video conference, availability, security levels, backups."""
    from provdc.inventory import load_inventory
    from provdc.monitoring import dti as report
    from provdc.network.backups import backup_root

    until = report.parse_when(end, "--to") if end else datetime.now(UTC)
    since = report.parse_when(start, "--from") if start else until - timedelta(days=30)
    inv = load_inventory(inventory)
    built = report.build(inv, since, until, prometheus, backup_root() / target, backup_days)
    if fmt == ReportFormat.json:
        print_json(built.as_json())
    elif fmt == ReportFormat.html:
        sys.stdout.write(report.html(built, inv))
    else:
        print_table(f"DTI {built.province}", ["indicator", "value"], report.rows(built, inv))
