"""The `provdc` command: one typer sub-app per area, registered here."""

import importlib
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


AREAS = ("inventory", "lab", "stack", "hosts", "net", "monitor", "report")


def _register(argv: list[str] | None = None) -> None:
    """Add the sub-apps: only the area named first on the command line (each area pulls in its
    own libraries: NAPALM, Ansible, Pulumi, pysnmp), every area otherwise, so that `provdc
    --help` and a mistyped area list them all."""
    args = [a for a in (argv or []) if not a.startswith("-")]
    wanted = [args[0]] if args and args[0] in AREAS else list(AREAS)
    for area in wanted:
        module = importlib.import_module(f"provdc.commands.{area}")
        app.add_typer(module.app, name=area)


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
    _register(sys.argv[1:])
    try:
        app()
    except ProvdcError as exc:
        typer.echo(f"provdc: error: {printable(str(exc))}", err=True)  # always one line
        sys.exit(exc.exit_code)
