"""The options every command shares, declared once, and the checks behind them.

A bad value is one ProvdcError line, exit 1. `--site` has one meaning everywhere: the scope's glob
over site ids, codes and router hostnames (`provdc.inventory.scope.site_matches`).
"""

import functools
import inspect
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from provdc.core.errors import ProvdcError
from provdc.inventory.scope import GLOB_KEYS, check_glob
from provdc.output import Format


def _name(param: typer.CallbackParam) -> str:
    return max(param.opts, key=len) if param.opts else str(param.name)


def finite(param: typer.CallbackParam, value: float | None) -> float | None:
    """A float option's callback: NaN and infinity (`nan`, `inf`, `1e999`) are refused."""
    if value is not None and not math.isfinite(value):
        raise ProvdcError(f"{_name(param)} {value}: not a finite number")
    return value


def site_glob(param: typer.CallbackParam, value: str | None) -> str | None:
    """A --site callback: an empty or blank glob, or one of only '*', is refused.

    Such a glob is what an unset shell variable leaves (`--site "$SITE"`, `--site "${PREFIX}*"`)
    and would select every site; leave --site out to mean all.
    """
    if value is not None and not value.replace("*", "").strip():
        raise ProvdcError(
            f"{_name(param)} {value!r} would select every site (an unset variable?); "
            "leave it out to mean all sites"
        )
    return check_glob(value)


_INVENTORY_HELP = "Inventory folder or file (default: $PROVDC_INVENTORY or the embedded one)."
_TARGET_HELP = "Where to connect: lab, prod, … (targets/NAME.yml)."
_SITE_HELP = f"Only sites (and their devices) matching this glob over {GLOB_KEYS}."

InventoryOpt = Annotated[
    Path | None, typer.Option("--inventory", "-i", help=_INVENTORY_HELP, show_default=False)
]
TargetOpt = Annotated[str, typer.Option("--target", "-t", help=_TARGET_HELP)]
OptionalTargetOpt = Annotated[str | None, typer.Option("--target", "-t", help=_TARGET_HELP)]
SiteOpt = Annotated[str | None, typer.Option("--site", "-s", callback=site_glob, help=_SITE_HELP)]
RequiredSiteOpt = Annotated[str, typer.Option("--site", "-s", callback=site_glob, help=_SITE_HELP)]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="table for people, json for scripts.")]
LimitOpt = Annotated[
    str | None,
    typer.Option(
        "--limit", "-l", help="Comma-separated globs of hostnames or workload groups (default: all VMs)."
    ),
]


def with_options(
    builder: Callable[..., Any], name: str, **required: Any
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A decorator for commands that share a set of options, declared once as `builder`'s parameters.

    The command line of each decorated command takes its own parameters and `builder`'s; the
    command is called with what `builder` makes of the latter as its parameter `name`. `required`
    gives one command a builder parameter with another (default-less) Annotated type.
    """
    shared = [
        p.replace(annotation=required[p.name], default=p.empty) if p.name in required else p
        for p in inspect.signature(builder, eval_str=True).parameters.values()
    ]

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        own = [p for p in inspect.signature(func, eval_str=True).parameters.values() if p.name != name]

        @functools.wraps(func)
        def command(**kwargs: Any) -> None:
            values = {p.name: kwargs.pop(p.name) for p in shared}
            func(**{name: builder(**values)}, **kwargs)

        params = [p.replace(kind=p.KEYWORD_ONLY) for p in [*own, *shared]]
        command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in params}
        del command.__wrapped__  # typer reads the signature above, not the wrapped function's
        return command

    return decorate
