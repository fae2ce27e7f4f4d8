"""`provdc hosts`: configure the DC hosts with Ansible roles and verify them with testinfra."""

import typer

app = typer.Typer(
    help="Configure the DC hosts with Ansible roles and verify them with testinfra.", no_args_is_help=True
)
