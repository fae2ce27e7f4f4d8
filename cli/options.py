"""Checks shared by the options of several commands; a bad value is one ProvdcError line, exit 1."""

import math

import typer

from provdc.core.errors import ProvdcError


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
    return value
