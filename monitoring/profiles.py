"""Polling profiles as data: MIB groups with numeric OIDs and display names, chosen by sysObjectID.

Each `profiles/mibs/NAME.yml` describes groups of one MIB: a group is a set of scalars (one GET)
or the columns of a table (walked with GETBULK), with enums for the values the MIB names and how
rows become sensors. `profiles/vendors.yml` says which MIB files a device profile polls. Nothing
here reads a MIB file: the OIDs are written out, so nothing is downloaded or compiled.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from provdc.core.errors import ProvdcError

OID_PATTERN = r"^1(\.\d+)+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    oid: str = Field(pattern=OID_PATTERN)
    label: bool = False  # a name that rarely changes: refreshed on a slower cycle


class SensorSpec(_Strict):
    """How a row of a group becomes a sensor reading."""

    kind: str
    label: str  # a column name, or a text with {index}
    value: str | None = None
    state: str | None = None
    ok: tuple[str, ...] = ()
    warning: tuple[str, ...] = ()
    unit: str = ""
    scale: float = 1.0
    precision: str | None = None  # a column giving decimal places (ENTITY-SENSOR-MIB)
    percent_of: str | None = None
    complement: bool = False  # 100 - value (idle → busy, free → used)
    min: float | None = None  # values below are the agent's "unknown" (e.g. -1)
    max_ok: float | None = None  # a failure counter: above this the sensor is failed
    only: dict[str, str | int] = Field(default_factory=dict)  # rows whose columns have these values


class GroupSpec(_Strict):
    name: str
    table: bool
    columns: dict[str, ColumnSpec]
    enums: dict[str, dict[int, str]] = Field(default_factory=dict)
    sensors: tuple[SensorSpec, ...] = ()

    @field_validator("columns", mode="before")
    @classmethod
    def _short_columns(cls, value: Any) -> Any:
        """`name: OID` is short for `name: {oid: OID}`."""
        if isinstance(value, dict):
            return {k: {"oid": str(v)} if not isinstance(v, dict) else v for k, v in value.items()}
        return value


class MibSpec(_Strict):
    mib: str
    groups: tuple[GroupSpec, ...]


class VendorSpec(_Strict):
    sys_object_id: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()  # inventory platforms polled with this profile when not probed
    mibs: tuple[str, ...]


class VendorFile(_Strict):
    standard: tuple[str, ...]
    profiles: dict[str, VendorSpec]


@dataclass(frozen=True)
class Profile:
    """What one device is polled for: the standard groups plus its vendor's."""

    name: str
    groups: tuple[GroupSpec, ...]

    def group(self, name: str) -> GroupSpec | None:
        return next((g for g in self.groups if g.name == name), None)


def _read(name: str) -> Any:
    resource = files("provdc.monitoring").joinpath("profiles", name)
    try:
        return yaml.safe_load(resource.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProvdcError(f"monitoring profile {name}: {exc}") from None


def _first(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"


def _normalise_sensor(group: dict[str, Any]) -> dict[str, Any]:
    """`sensor:` (one) is short for `sensors: [one]`."""
    if "sensor" in group:
        group = {**group, "sensors": [group["sensor"], *group.get("sensors", [])]}
        del group["sensor"]
    return group


@cache
def load_mib(name: str) -> MibSpec:
    data = _read(f"mibs/{name}.yml")
    try:
        data["groups"] = [_normalise_sensor(g) for g in data.get("groups", [])]
        spec = MibSpec.model_validate(data)
    except ValidationError as exc:
        raise ProvdcError(f"monitoring profile mibs/{name}.yml: {_first(exc)}") from None
    except (TypeError, KeyError, AttributeError) as exc:
        raise ProvdcError(f"monitoring profile mibs/{name}.yml: not a profile ({exc})") from None
    for group in spec.groups:
        for sensor in group.sensors:
            for ref in (sensor.value, sensor.state, sensor.percent_of, sensor.precision, *sensor.only):
                if ref is not None and ref not in group.columns:
                    raise ProvdcError(f"monitoring profile mibs/{name}.yml: {group.name}: no column {ref}")
    return spec


@cache
def vendor_file() -> VendorFile:
    try:
        return VendorFile.model_validate(_read("vendors.yml"))
    except ValidationError as exc:
        raise ProvdcError(f"monitoring profile vendors.yml: {_first(exc)}") from None


def profile_names() -> list[str]:
    return sorted(vendor_file().profiles)


def _groups(mibs: tuple[str, ...]) -> tuple[GroupSpec, ...]:
    return tuple(g for mib in mibs for g in load_mib(mib).groups)


def standard_profile() -> Profile:
    return Profile("standard", _groups(vendor_file().standard))


def profile(name: str) -> Profile:
    """The standard groups plus those of the named device profile."""
    vendors = vendor_file()
    if name == "standard":
        return standard_profile()
    spec = vendors.profiles.get(name)
    if spec is None:
        raise ProvdcError(f"no SNMP profile '{name}' (have: standard, {', '.join(profile_names())})")
    return Profile(name, _groups(vendors.standard + spec.mibs))


def profile_of_platform(platform: str) -> str:
    """The profile of an inventory platform, for pollers that cannot probe sysObjectID first."""
    for name, spec in vendor_file().profiles.items():
        if platform in spec.platforms:
            return name
    return "default"


def profile_for(sys_object_id: str) -> str:
    """The device profile whose sysObjectID prefix matches best; `default` when none does."""
    best, length = "default", -1
    for name, spec in vendor_file().profiles.items():
        for prefix in (p.rstrip(".") for p in spec.sys_object_id):
            matches = sys_object_id == prefix or sys_object_id.startswith(prefix + ".")
            if matches and len(prefix) > length:
                best, length = name, len(prefix)
    return best
