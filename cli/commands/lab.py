"""`provdc lab`: the province on one machine: routers, hosts and SNMP agents in network namespaces."""

import typer

app = typer.Typer(
    help="The province on one machine: routers, hosts and SNMP agents in network namespaces.",
    no_args_is_help=True,
)
