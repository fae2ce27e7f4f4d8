"""`provdc net`: render, diff, push, back up and roll back the CE router configs."""

import typer

app = typer.Typer(
    help="Render, diff, push, back up and roll back the CE router configs.", no_args_is_help=True
)
