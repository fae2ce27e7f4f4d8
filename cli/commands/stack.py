"""`provdc stack`: provision the data center on vSphere with Pulumi: preview, up, refresh, destroy."""

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import typer

from provdc.core.errors import ProvdcError
from provdc.inventory import state_dir
from provdc.output import Format, print_json, print_table

app = typer.Typer(
    help="Provision the data center on vSphere with Pulumi: preview, up, refresh, destroy.",
    no_args_is_help=True,
)

StackArg = typer.Argument(..., help="The stack: dc-core.")
TargetOpt = typer.Option(..., "--target", "-t", help="Where to deploy: a target name (lab, prod, ...).")
YesOpt = typer.Option(False, "--yes", "-y", help="Apply without asking.")
FormatOpt = typer.Option(Format.table, "--format", "-f")
InventoryOpt = typer.Option(None, "--inventory", "-i", help="Inventory folder (default: the embedded one).")


@contextmanager
def _log(stack: str, target: str, action: str) -> Iterator[TextIO]:
    """The engine's own output goes to a log file in the state dir (secrets masked by Pulumi)."""
    folder = state_dir() / "pulumi" / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stack}-{target}-{action}-{time.strftime('%Y%m%dT%H%M%S')}.log"
    with path.open("w", encoding="utf-8") as fh:
        yield fh


def _report(title: str, fmt: Format, payload: dict[str, Any]) -> None:
    if fmt == Format.json:
        print_json(payload)
        return
    rows = [(c["op"], c["type"], c["name"], ", ".join(c["diffs"])) for c in payload["resources"]
            if c["op"] != "same"]
    print_table(title, ["op", "type", "name", "changed"], rows)
    counts = ", ".join(f"{n} to {op}" if op != "same" else f"{n} unchanged"
                       for op, n in payload["changes"].items() if n)
    typer.echo(counts or "no resources")


def _confirm(yes: bool, what: str) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise ProvdcError(f"{what} changes vCenter: pass --yes to go ahead without a terminal")
    if not typer.confirm(f"Go ahead with {what}?"):
        raise ProvdcError("cancelled; nothing changed")


@app.command()
def preview(
    stack: str = StackArg, target: str = TargetOpt, fmt: Format = FormatOpt,
    refresh: bool = typer.Option(False, "--refresh", help="Read vCenter first, so drift shows."),
    inventory: Path | None = InventoryOpt,
) -> None:
    """The planned changes per resource (create/update/replace/delete/same); changes nothing."""
    from provdc.stacks.engine import open_stack, run_engine

    run = open_stack(stack, target, inventory)
    with _log(stack, target, "preview") as log:
        _, rec = run_engine(run.stack.preview, log, refresh=refresh or None)
    _report(f"preview {stack} on {target}", fmt,
            {"stack": stack, "target": target, "changes": rec.summary(), "resources": rec.as_json()})


@app.command()
def up(
    stack: str = StackArg, target: str = TargetOpt, yes: bool = YesOpt, fmt: Format = FormatOpt,
    inventory: Path | None = InventoryOpt,
) -> None:
    """Create or update the stack in vCenter, after a preflight of capacity and prerequisites."""
    from provdc.stacks import preflight
    from provdc.stacks.engine import locked, open_stack, run_engine

    run = open_stack(stack, target, inventory)
    problems = preflight.check(run.inventory, run.target, run.access)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ProvdcError(f"preflight: {problems[0]}{more}")
    _confirm(yes, f"up of {stack} on {target}")
    with locked(run), _log(stack, target, "up") as log:
        _, rec = run_engine(run.stack.up, log)
    _report(f"up {stack} on {target}", fmt,
            {"stack": stack, "target": target, "changes": rec.summary(), "resources": rec.as_json()})


@app.command()
def refresh(
    stack: str = StackArg, target: str = TargetOpt, fmt: Format = FormatOpt,
    inventory: Path | None = InventoryOpt,
) -> None:
    """Read every resource back from vCenter into the state; lists what drifted."""
    from provdc.stacks.engine import locked, open_stack, run_engine

    run = open_stack(stack, target, inventory)
    with locked(run), _log(stack, target, "refresh") as log:
        _, rec = run_engine(run.stack.refresh, log, diff=True)
    _report(f"refresh {stack} on {target}", fmt,
            {"stack": stack, "target": target, "changes": rec.summary(), "resources": rec.as_json()})


@app.command()
def destroy(
    stack: str = StackArg, target: str = TargetOpt, yes: bool = YesOpt, fmt: Format = FormatOpt,
    inventory: Path | None = InventoryOpt,
) -> None:
    """Delete everything the stack created in vCenter (nothing it does not own)."""
    from provdc.stacks.engine import locked, open_stack, run_engine

    run = open_stack(stack, target, inventory)
    _confirm(yes, f"destroy of {stack} on {target}")
    with locked(run), _log(stack, target, "destroy") as log:
        _, rec = run_engine(run.stack.destroy, log)
    _report(f"destroy {stack} on {target}", fmt,
            {"stack": stack, "target": target, "changes": rec.summary(), "resources": rec.as_json()})


@app.command()
def outputs(
    stack: str = StackArg, target: str = TargetOpt, fmt: Format = FormatOpt,
    inventory: Path | None = InventoryOpt,
) -> None:
    """The stack's outputs (VM, port group, datastore and folder ids)."""
    from pulumi import automation as auto

    from provdc.stacks.engine import engine_message, open_stack

    run = open_stack(stack, target, inventory, reach=False)
    try:
        values = {k: v.value for k, v in run.stack.outputs().items()}
    except auto.CommandError as exc:
        raise ProvdcError(engine_message(exc)) from None
    if fmt == Format.json:
        print_json(values)
        return
    print_table(f"outputs {stack} on {target}", ["output", "value"],
                [(k, v if not isinstance(v, dict) else f"{len(v)} entries") for k, v in values.items()])
