"""`provdc stack`: provision the data center on vSphere with Pulumi: preview, up, refresh, destroy."""

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from provdc.core.errors import ProvdcError
from provdc.options import FormatOpt, InventoryOpt, TargetOpt, with_options
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


@dataclass(frozen=True)
class _Stack:
    """Which stack of which target, the inventory it is built from, how to print the result."""

    name: str
    target: str
    fmt: Format
    inventory: Path | None


def _stack(
    stack: StackArg, target: TargetOpt, fmt: FormatOpt = Format.table, inventory: InventoryOpt = None
) -> _Stack:
    return _Stack(stack, target, fmt, inventory)


_stack_command = with_options(_stack, "stack")


def _run(action: "Action", stack: _Stack, **kwargs: Any) -> None:
    """Run one action in the stacks area and print its report."""
    from provdc.stacks.actions import run_action

    payload = run_action(stack.name, stack.target, action, stack.inventory, **kwargs)
    if stack.fmt == Format.json:
        print_json(payload)
        return
    rows = [
        (c["op"], c["type"], c["name"], ", ".join(c["diffs"]))
        for c in payload["resources"]
        if c["op"] != "same"
    ]
    print_table(f"{action} {stack.name} on {stack.target}", ["op", "type", "name", "changed"], rows)
    counts = ", ".join(
        f"{n} to {op}" if op != "same" else f"{n} unchanged" for op, n in payload["changes"].items() if n
    )
    typer.echo(counts or "no resources")


@app.command()
@_stack_command
def preview(
    stack: _Stack,
    refresh: Annotated[bool, typer.Option("--refresh", help="Read vCenter first, so drift shows.")] = False,
) -> None:
    """The planned changes per resource (create/update/replace/delete/same); changes nothing."""
    _run("preview", stack, refresh=refresh)


@app.command()
@_stack_command
def up(stack: _Stack, yes: YesOpt = False) -> None:
    """Create or update the stack in vCenter, after a preflight of capacity and prerequisites."""
    _run("up", stack, confirm=_confirm(yes))


@app.command()
@_stack_command
def refresh(stack: _Stack) -> None:
    """Read every resource back from vCenter into the state; lists what drifted."""
    _run("refresh", stack)


@app.command()
@_stack_command
def destroy(stack: _Stack, yes: YesOpt = False) -> None:
    """Delete everything the stack created in vCenter (nothing it does not own)."""
    _run("destroy", stack, confirm=_confirm(yes))


@app.command()
@_stack_command
def outputs(stack: _Stack) -> None:
    """The stack's outputs (VM, port group, datastore and folder ids)."""
    from provdc.stacks.actions import stack_outputs

    values = stack_outputs(stack.name, stack.target, stack.inventory)
    if stack.fmt == Format.json:
        print_json(values)
        return
    rows = [(k, v if not isinstance(v, dict) else f"{len(v)} entries") for k, v in values.items()]
    print_table(f"outputs {stack.name} on {stack.target}", ["output", "value"], rows)
