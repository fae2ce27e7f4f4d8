"""Turning the rows a poll fetched into interfaces and sensors, as the profiles describe."""

from __future__ import annotations

from provdc.monitoring.profiles import GroupSpec, SensorSpec
from provdc.monitoring.results import Health, Interface, Sensor
from provdc.monitoring.snmp import Value

Rows = dict[str, dict[str, Value]]  # row index → column name → value


def rows_of(group: GroupSpec, by_oid: dict[str, dict[str, Value]]) -> Rows:
    """Pivot column-wise results (column OID → index → value) into rows by index."""
    rows: Rows = {}
    for name, column in group.columns.items():
        for index, value in by_oid.get(column.oid, {}).items():
            rows.setdefault(index, {})[name] = value
    return rows


def _int(value: Value) -> int | None:
    return value if isinstance(value, int) else None


def _enum(group: GroupSpec, column: str, value: Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, int):
        return group.enums.get(column, {}).get(value, str(value))
    return value


def interfaces(group: GroupSpec, rows: Rows) -> list[Interface]:
    result = []
    for index, row in sorted(rows.items(), key=lambda kv: _sort_key(kv[0])):
        if not index.isdigit():
            continue
        name = row.get("ifName") or row.get("ifDescr") or f"if{index}"
        result.append(
            Interface(
                index=int(index),
                name=str(name),
                admin_status=_enum(group, "ifAdminStatus", row.get("ifAdminStatus")),
                oper_status=_enum(group, "ifOperStatus", row.get("ifOperStatus")),
                speed_mbps=_int(row.get("ifHighSpeed")),
                in_octets=_int(row.get("ifHCInOctets")),
                out_octets=_int(row.get("ifHCOutOctets")),
            )
        )
    return result


def _sort_key(index: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in index.split("."))


def _label(spec: SensorSpec, group: GroupSpec, index: str, row: dict[str, Value]) -> str:
    if spec.label in group.columns:
        text = row.get(spec.label)
        return str(text).strip() if text not in (None, "") else f"{spec.kind} {index}"
    return spec.label.format(index=index)


def _number(spec: SensorSpec, row: dict[str, Value]) -> float | None:
    if spec.value is None:
        return None
    raw = _int(row.get(spec.value))
    if raw is None or (spec.min is not None and raw < spec.min):
        return None
    value = float(raw)
    if spec.precision is not None and (places := _int(row.get(spec.precision))):
        value /= 10**places
    value *= spec.scale
    if spec.percent_of is not None:
        total = _int(row.get(spec.percent_of))
        if not total or total <= 0:
            return None
        value = value * 100.0 / total
    if spec.complement:
        value = 100.0 - value
    return round(value, 2)


def _health(spec: SensorSpec, state: str | None, value: float | None) -> Health:
    if state is not None and spec.state is not None:
        if state in spec.ok:
            return "ok"
        return "warning" if state in spec.warning else "failed"
    if spec.max_ok is not None and value is not None and value > spec.max_ok:
        return "failed"
    return "ok"


def sensors(group: GroupSpec, rows: Rows) -> list[Sensor]:
    result = []
    for index, row in sorted(rows.items(), key=lambda kv: _sort_key(kv[0])):
        for spec in group.sensors:
            if any(str(row.get(col)) != str(want) for col, want in spec.only.items()):
                continue
            value = _number(spec, row)
            state = _enum(group, spec.state, row.get(spec.state)) if spec.state else None
            if value is None and state is None:
                continue
            label = _label(spec, group, index, row)
            result.append(Sensor(label, spec.kind, value, spec.unit, state, _health(spec, state, value)))
    return result
