"""The `provdc` command: one typer sub-app per area, registered here."""

import sys

import typer

from provdc import __version__
from provdc.core.errors import ProvdcError
from provdc.core.text import printable

app = typer.Typer(
    name="provdc",
    help="Provision the provincial data center and its special-purpose WAN from one inventory.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    """Sub-apps are imported here so that `provdc --help` lists every area."""
    from provdc.commands import hosts, inventory, lab, monitor, net, report, stack

    app.add_typer(inventory.app, name="inventory")
    app.add_typer(lab.app, name="lab")
    app.add_typer(stack.app, name="stack")
    app.add_typer(hosts.app, name="hosts")
    app.add_typer(net.app, name="net")
    app.add_typer(monitor.app, name="monitor")
    app.add_typer(report.app, name="report")


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version."
    ),
) -> None:
    """Provision the provincial data center and its special-purpose WAN from one inventory."""


def main() -> None:
    """Entry point: user errors become one line on stderr and a non-zero exit.

    typer's standalone mode already turns usage errors into a message and exit code 2.
    """
    _register()
    try:
        app()
    except ProvdcError as exc:
        typer.echo(f"provdc: error: {printable(str(exc))}", err=True)  # always one line
        sys.exit(exc.exit_code)
