"""snmp.yml for Prometheus snmp_exporter (v0.29.0 format) from provdc's polling profiles.

One module per provdc profile (`provdc_standard`, `provdc_cisco`, …) that reads exactly what
`monitor poll` reads: the profile's scalars with `get`, each table column with `walk`, label
columns (ifName, entPhysicalName…) as DisplayString metrics and as `lookups` on the group's other
columns, enums as `enum_values`, ifHC octets as counters. The layout is the one snmp_exporter's
own generator writes, so the exporter loads it with `yaml.UnmarshalStrict`.

Auths: `provdc_v3`, the inventory's SNMPv3 user (authPriv, its auth/priv protocols), and
optionally `provdc_v2c` and named v2c communities. Secret values are never read here: the caller
passes them (`ExporterSecrets`), or leaves them out and the file holds `${PROVDC_SNMP_AUTH_KEY}`
and `${PROVDC_SNMP_PRIV_KEY}` for `snmp_exporter --config.expand-environment-variables`.
A file with secrets in it is written 0600 by `write_config`; never put one in the repository.

    config = exporter_config(inventory.services.snmp, ExporterSecrets(auth, priv))
    write_config(path, config)
    # scrape: /snmp?target=HOST:PORT&module=provdc_standard&auth=provdc_v3
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from provdc.inventory.model import SnmpSettings
from provdc.monitoring.errors import MonitoringError
from provdc.monitoring.profiles import GroupSpec, Profile, profile, profile_names

V3_AUTH = "provdc_v3"
V2C_AUTH = "provdc_v2c"
AUTH_ENV = "PROVDC_SNMP_AUTH_KEY"  # the variables `monitor poll` reads too
PRIV_ENV = "PROVDC_SNMP_PRIV_KEY"

# provdc's protocol names (monitoring.snmp) → snmp_exporter's. pysnmp's AES192/AES256 extend the
# key as Blumenthal's draft does, which gosnmp calls AES192/AES256 (the `C` variants are Reeder's).
_AUTH = {"MD5": "MD5", "SHA": "SHA", "SHA256": "SHA256", "SHA512": "SHA512"}
_PRIV = {"DES": "DES", "AES": "AES", "AES192": "AES192", "AES256": "AES256"}

# Columns whose values are not numbers, beyond label columns: snmp_exporter needs the type.
_TYPES = {
    "sysDescr": "DisplayString",
    "sysName": "DisplayString",
    "sysObjectID": "OctetString",  # an OID value prints as its dotted form
    "hrStorageType": "OctetString",
}
_COUNTERS = {"ifHCInOctets", "ifHCOutOctets"}
# Table indexes (MIB INDEX clauses) of more than one part, or named unlike `<group>Index`.
_INDEXES: dict[str, tuple[str, ...]] = {
    "interfaces": ("ifIndex",),
    "entPhySensor": ("entPhysicalIndex",),
    "hwEntityState": ("entPhysicalIndex",),
    "hrProcessor": ("hrDeviceIndex",),
    "ciscoEnvMonTemperature": ("ciscoEnvMonTemperatureStatusIndex",),
    "ciscoEnvMonFan": ("ciscoEnvMonFanStatusIndex",),
    "ciscoEnvMonSupply": ("ciscoEnvMonSupplyStatusIndex",),
    "jnxOperating": (
        "jnxOperatingContentsIndex",
        "jnxOperatingL1Index",
        "jnxOperatingL2Index",
        "jnxOperatingL3Index",
    ),
    "cpqRackCommonEnclosureTemp": (
        "cpqRackCommonEnclosureTempRack",
        "cpqRackCommonEnclosureTempChassis",
        "cpqRackCommonEnclosureTempSensorIndex",
    ),
    "cpqRackCommonEnclosureFan": (
        "cpqRackCommonEnclosureFanRack",
        "cpqRackCommonEnclosureFanChassis",
        "cpqRackCommonEnclosureFanIndex",
    ),
    "cpqRackPowerSupply": (
        "cpqRackPowerSupplyRack",
        "cpqRackPowerSupplyChassis",
        "cpqRackPowerSupplyIndex",
    ),
}


@dataclass(frozen=True)
class ExporterSecrets:
    """Secret values to put into snmp.yml; they come from the caller, never from here."""

    auth_key: str = field(repr=False)
    priv_key: str = field(repr=False)
    community: str | None = field(default=None, repr=False)  # the target's SNMPv2c community


@dataclass(frozen=True)
class WalkOptions:
    """snmp_exporter's per-module walk parameters (its defaults: 5 s, 3 retries, 25)."""

    timeout_s: float = 5.0
    retries: int = 1
    max_repetitions: int = 25


def module_name(profile_name: str) -> str:
    """The snmp_exporter module of a provdc profile: `provdc_<profile>` (`-` as `_`)."""
    return "provdc_" + profile_name.replace("-", "_")


def _index_labels(group: GroupSpec) -> tuple[str, ...]:
    return _INDEXES.get(group.name, (f"{group.name}Index",))


def _type(name: str, group: GroupSpec) -> str:
    if group.columns[name].label or name in {s.label for s in group.sensors}:
        return "DisplayString"
    if name in _COUNTERS:
        return "counter"
    return _TYPES.get(name, "gauge")


def _metric(name: str, group: GroupSpec, lookups: Sequence[str]) -> dict[str, Any]:
    column = group.columns[name]
    oid = column.oid.removesuffix(".0") if not group.table else column.oid
    metric: dict[str, Any] = {"name": name, "oid": oid, "type": _type(name, group)}
    metric["help"] = f"{name} ({group.name}, provdc profile column) - {oid}"
    if group.table:
        labels = list(_index_labels(group))
        metric["indexes"] = [{"labelname": label, "type": "gauge"} for label in labels]
        found = [c for c in lookups if c != name]
        if found:
            metric["lookups"] = [
                {"labels": list(labels), "labelname": c, "oid": group.columns[c].oid, "type": "DisplayString"}
                for c in found
            ]
    if name in group.enums and metric["type"] == "gauge":
        metric["enum_values"] = dict(sorted(group.enums[name].items()))
    return metric


def module(chosen: Profile, labels: bool = True, walk: WalkOptions | None = None) -> dict[str, Any]:
    """The snmp_exporter module of one profile; `labels=False` leaves label columns out (steady cycle)."""
    walk = walk or WalkOptions()
    gets: list[str] = []
    walks: list[str] = []
    metrics: list[dict[str, Any]] = []
    for group in chosen.groups:
        names = [n for n, c in group.columns.items() if labels or not c.label]
        label_columns = [n for n in names if group.table and group.columns[n].label]
        for name in names:
            (walks if group.table else gets).append(group.columns[name].oid)
            metrics.append(_metric(name, group, label_columns))
    out: dict[str, Any] = {}
    if walks:
        out["walk"] = walks
    if gets:
        out["get"] = gets
    out["metrics"] = metrics
    out["max_repetitions"] = walk.max_repetitions
    out["retries"] = walk.retries
    out["timeout"] = f"{int(walk.timeout_s * 1000)}ms"
    return out


def _v3_auth(snmp: SnmpSettings, secrets: ExporterSecrets | None) -> dict[str, Any]:
    auth, priv = snmp.auth.upper(), snmp.priv.upper()
    if auth not in _AUTH:
        raise MonitoringError(f"snmp_exporter: SNMPv3 auth protocol '{snmp.auth}' not supported")
    if priv not in _PRIV:
        raise MonitoringError(f"snmp_exporter: SNMPv3 priv protocol '{snmp.priv}' not supported")
    return {
        "security_level": "authPriv",
        "username": snmp.user,
        "password": secrets.auth_key if secrets else f"${{{AUTH_ENV}}}",
        "auth_protocol": _AUTH[auth],
        "priv_protocol": _PRIV[priv],
        "priv_password": secrets.priv_key if secrets else f"${{{PRIV_ENV}}}",
        "version": 3,
    }


def exporter_config(
    snmp: SnmpSettings | None,
    secrets: ExporterSecrets | None = None,
    *,
    communities: Mapping[str, str] | None = None,
    profiles: Sequence[str] | None = None,
    labels: bool = True,
    walk: WalkOptions | None = None,
) -> dict[str, Any]:
    """snmp.yml as data: auths and one module per provdc profile.

    Args:
        snmp: the inventory's SNMPv3 settings (`inventory.services.snmp`): user and protocols of
            the `provdc_v3` auth; None for a file with v2c auths only.
        secrets: the keys (and the target's community, as auth `provdc_v2c`); None writes
            `${PROVDC_SNMP_AUTH_KEY}`/`${PROVDC_SNMP_PRIV_KEY}` for the exporter to expand.
        communities: more v2c auths, auth name → community (e.g. one per snmpsim recording).
        profiles: which profiles get a module; default `standard` and every device profile.
        labels: False leaves the label columns (and their lookups) out, as a steady cycle does.
        walk: timeout, retries and max-repetitions of every module.

    Raises:
        MonitoringError: an unknown profile, or a protocol snmp_exporter does not support.
    """
    auths: dict[str, dict[str, Any]] = {}
    if snmp is not None:
        auths[V3_AUTH] = _v3_auth(snmp, secrets)
    if secrets is not None and secrets.community is not None:
        auths[V2C_AUTH] = {"community": secrets.community, "version": 2}
    for name, community in (communities or {}).items():
        auths[name] = {"community": community, "version": 2}
    names = list(profiles) if profiles is not None else ["standard", *profile_names()]
    modules = {module_name(n): module(profile(n), labels, walk) for n in names}
    return {"auths": auths, "modules": modules}


class _Dumper(yaml.SafeDumper):
    """No `&id001` anchors: snmp_exporter's own files spell every list out."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render(config: Mapping[str, Any]) -> str:
    """The YAML text of a config (strings quoted where YAML needs it; inventory text stays data)."""
    head = "# Generated by provdc (provdc.monitoring.snmp_exporter_config); edits are lost.\n"
    text = yaml.dump(dict(config), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    return head + text


def write_config(path: Path, config: Mapping[str, Any]) -> Path:
    """Writes snmp.yml readable by its owner only (it may hold keys)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(render(config))
    path.chmod(0o600)
    return path
