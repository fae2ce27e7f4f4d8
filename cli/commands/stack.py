"""`provdc stack`: provision the data center on vSphere with Pulumi: preview, up, refresh, destroy."""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from provdc.core.errors import ProvdcError
from provdc.options import FormatOpt, InventoryOpt, TargetOpt
from provdc.output import Format, print_json, print_table

if TYPE_CHECKING:
    from provdc.stacks.actions import Action

app = typer.Typer(
    help="Provision the data center on vSphere with Pulumi: preview, up, refresh, destroy.",
    no_args_is_help=True,
)

StackArg = Annotated[str, typer.Argument(help="The stack: dc-core.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")]


def _confirm(yes: bool) -> Callable[[str], None]:
    def ask(what: str) -> None:
        if yes:
            return
        if not sys.stdin.isatty():
            raise ProvdcError(f"{what} changes vCenter: pass --yes to go ahead without a terminal")
        if not typer.confirm(f"Go ahead with {what}?"):
            raise ProvdcError("cancelled; nothing changed")

    return ask


def _run(
    action: "Action", stack: str, target: str, fmt: Format, inventory: Path | None, **kwargs: Any
) -> None:
    """Run one action in the stacks area and print its report."""
    from provdc.stacks.actions import run_action

    payload = run_action(stack, target, action, inventory, **kwargs)
    if fmt == Format.json:
        print_json(payload)
        return
    rows = [
        (c["op"], c["type"], c["name"], ", ".join(c["diffs"]))
        for c in payload["resources"]
        if c["op"] != "same"
    ]
    print_table(f"{action} {stack} on {target}", ["op", "type", "name", "changed"], rows)
    counts = ", ".join(
        f"{n} to {op}" if op != "same" else f"{n} unchanged" for op, n in payload["changes"].items() if n
    )
    typer.echo(counts or "no resources")


@app.command()
def preview(
    stack: StackArg,
    target: TargetOpt,
    fmt: FormatOpt = Format.table,
    refresh: Annotated[bool, typer.Option("--refresh", help="Read vCenter first, so drift shows.")] = False,
    inventory: InventoryOpt = None,
) -> None:
    """The planned changes per resource (create/update/replace/delete/same); changes nothing."""
    _run("preview", stack, target, fmt, inventory, refresh=refresh)


@app.command()
def up(
    stack: StackArg,
    target: TargetOpt,
    yes: YesOpt = False,
    fmt: FormatOpt = Format.table,
    inventory: InventoryOpt = None,
) -> None:
    """Create or update the stack in vCenter, after a preflight of capacity and prerequisites."""
    _run("up", stack, target, fmt, inventory, confirm=_confirm(yes))


@app.command()
def refresh(
    stack: StackArg, target: TargetOpt, fmt: FormatOpt = Format.table, inventory: InventoryOpt = None
) -> None:
    """Read every resource back from vCenter into the state; lists what drifted."""
    _run("refresh", stack, target, fmt, inventory)


@app.command()
def destroy(
    stack: StackArg,
    target: TargetOpt,
    yes: YesOpt = False,
    fmt: FormatOpt = Format.table,
    inventory: InventoryOpt = None,
) -> None:
    """Delete everything the stack created in vCenter (nothing it does not own)."""
    _run("destroy", stack, target, fmt, inventory, confirm=_confirm(yes))


@app.command()
def outputs(
    stack: StackArg, target: TargetOpt, fmt: FormatOpt = Format.table, inventory: InventoryOpt = None
) -> None:
    """The stack's outputs (VM, port group, datastore and folder ids)."""
    from provdc.stacks.actions import stack_outputs

    values = stack_outputs(stack, target, inventory)
    if fmt == Format.json:
        print_json(values)
        return
    rows = [(k, v if not isinstance(v, dict) else f"{len(v)} entries") for k, v in values.items()]
    print_table(f"outputs {stack} on {target}", ["output", "value"], rows)
