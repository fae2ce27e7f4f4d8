"""`provdc inventory`: validate, show, export and grow the inventory."""

import typer

app = typer.Typer(help="Validate, show, export and grow the inventory.", no_args_is_help=True)
