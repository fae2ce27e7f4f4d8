"""`provdc monitor`: poll links and hardware over SNMP: checks, watch, Prometheus exposition."""

import typer

app = typer.Typer(
    help="Poll links and hardware over SNMP: checks, watch, Prometheus exposition.", no_args_is_help=True
)
