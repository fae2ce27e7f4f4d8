"""The stack actions as one call each: open the stack, check, lock, run the engine, record what changed.

`up` runs the preflight first; `up` and `destroy` ask the caller's `confirm` before changing vCenter.
The engine's own output goes to a log file in the state dir (secrets masked by Pulumi).
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Literal, TextIO

from provdc.inventory import state_dir
from provdc.stacks import preflight
from provdc.stacks.engine import StackRun, clear_interrupted, locked, open_stack, run_engine
from provdc.stacks.errors import StackError
from provdc.stacks.provider_server import WORKERS

# The engine's own default is 4 operations per core (8 here): VMs then wait their turn while
# vCenter clones the ones before them. One operation per provider thread keeps every thread busy;
# vCenter queues what it cannot take at once.
PARALLEL = WORKERS

Action = Literal["preview", "up", "refresh", "destroy"]
CHANGES_VCENTER: tuple[Action, ...] = ("up", "destroy")


@contextmanager
def _log(stack: str, target: str, action: str) -> Iterator[TextIO]:
    folder = state_dir() / "pulumi" / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stack}-{target}-{action}-{time.strftime('%Y%m%dT%H%M%S')}.log"
    with path.open("w", encoding="utf-8") as fh:
        yield fh


def check_preflight(run: StackRun) -> None:
    """Refuse `up` with the first problem the preflight finds (and how many more)."""
    problems = preflight.check(run.inventory, run.target, run.access)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise StackError(f"preflight: {problems[0]}{more}")


def run_action(
    stack: str,
    target: str,
    action: Action,
    inventory: Path | None = None,
    *,
    refresh: bool = False,
    confirm: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run one action; the report: stack, target, counts per operation and each resource's change.

    `refresh` (preview only) reads vCenter first, so drift shows.
    """
    with nullcontext() if action == "preview" else locked(f"{stack}-{target}"):
        run = open_stack(stack, target, inventory)
        if action != "preview":
            clear_interrupted(run)
        if action == "up":
            check_preflight(run)
        if action in CHANGES_VCENTER and confirm is not None:
            confirm(f"{action} of {stack} on {target}")
        wide = {"parallel": PARALLEL}
        engine: dict[Action, tuple[Callable[..., Any], dict[str, Any]]] = {
            "preview": (run.stack.preview, {"refresh": refresh or None, **wide}),
            "up": (run.stack.up, wide),
            "refresh": (run.stack.refresh, {"diff": True, **wide}),
            "destroy": (run.stack.destroy, wide),
        }
        call, kwargs = engine[action]
        with _log(stack, target, action) as log:
            _, rec = run_engine(call, log, **kwargs)
    return {"stack": stack, "target": target, "changes": rec.summary(), "resources": rec.as_json()}


def stack_outputs(stack: str, target: str, inventory: Path | None = None) -> dict[str, Any]:
    """The stack's outputs as plain values, read from the state without reaching vCenter."""
    from pulumi import automation as auto

    from provdc.stacks.engine import engine_message

    run = open_stack(stack, target, inventory, reach=False)
    try:
        return {k: v.value for k, v in run.stack.outputs().items()}
    except auto.CommandError as exc:
        raise StackError(engine_message(exc)) from None
