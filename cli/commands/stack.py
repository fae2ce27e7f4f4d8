"""`provdc stack`: provision the data center on vSphere with Pulumi: preview, up, refresh, destroy."""

import typer

app = typer.Typer(
    help="Provision the data center on vSphere with Pulumi: preview, up, refresh, destroy.",
    no_args_is_help=True,
)
