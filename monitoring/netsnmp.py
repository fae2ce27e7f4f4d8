"""SNMP through net-snmp's C library (ezsnmp): the poller's fast codec.

pysnmp decodes BER in Python through pyasn1 (tens of µs a value, ~10 s of CPU for a poll of 300
agents); net-snmp decodes in C and ezsnmp hands each value back as net-snmp prints it (numeric
OIDs, enums and timeticks as numbers). ezsnmp's calls block but release the GIL, so a device's
whole walk runs in a worker thread and `concurrency` devices are polled at once.

`NetSnmpSession` has the interface of `snmp.Session` (get, walk, address) and the same multi-column
GETBULK walk: one request for every column still going, each dropped when its rows end.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import ezsnmp  # type: ignore[import-untyped]

from provdc.monitoring.snmp import (
    V3,
    Credentials,
    Oid,
    SnmpError,
    V2c,
    Value,
    WalkResult,
    format_oid,
    parse_oid,
)

_NUMERIC = {"INTEGER", "Gauge32", "Counter32", "Counter64", "UInteger32", "Unsigned32", "Integer32"}
_MISSING = {"NOSUCHINSTANCE", "NOSUCHOBJECT"}
_END = "No more variables left in this MIB View"
# net-snmp's messages that mean the agent rejected who we are, not that it is away.
_AUTH = re.compile(
    r"authentication failure|unknown user name|unknown security|decryption error|wrong digest|"
    r"not in time window|unsupported security level|usm",
    re.IGNORECASE,
)
_TOO_BIG = re.compile(r"too ?big|too large", re.IGNORECASE)


def _value(kind: str, text: str) -> Value:
    """A value as net-snmp printed it, in the form `snmp.to_python` gives (int, str or None)."""
    if kind in _NUMERIC or kind.isdigit():  # timeticks printed numerically come typed as their number
        try:
            return int(text)
        except ValueError:
            return text
    if kind == "STRING" or kind == '""':
        return text
    if kind == "Hex-STRING":
        try:
            return bytes.fromhex(text).decode("utf-8", errors="replace").rstrip("\x00")
        except ValueError:
            return text
    if kind == "OID":
        return text.lstrip(".")
    if kind in _MISSING or kind.startswith(_END):
        return None
    return text


class NetSnmpSession:
    """Requests to one agent through one ezsnmp (net-snmp) session, reused every cycle."""

    def __init__(
        self,
        creds: Credentials,
        host: str,
        port: int,
        timeout: float,
        retries: int,
        executor: ThreadPoolExecutor,
    ) -> None:
        self.address = f"{host}:{port}"
        self._executor = executor
        common: dict[str, Any] = {
            "hostname": host,
            "port_number": port,
            "timeout": f"{timeout:g}",
            "retries": retries,
            "print_oids_numerically": True,
            "print_enums_numerically": True,
            "print_timeticks_numerically": True,
        }
        if isinstance(creds, V2c):
            self._session = ezsnmp.Session(version=2, community=creds.community, **common)
        else:
            assert isinstance(creds, V3)
            self._session = ezsnmp.Session(
                version=3,
                security_level="authPriv",
                security_username=creds.user,
                auth_protocol=creds.auth_protocol,
                auth_passphrase=creds.auth_key,
                privacy_protocol=creds.priv_protocol,
                privacy_passphrase=creds.priv_key,
                **common,
            )

    def _error(self, exc: Exception) -> SnmpError:
        text = str(exc).strip() or type(exc).__name__
        if isinstance(exc, ezsnmp.TimeoutError):
            return SnmpError("timeout", f"{self.address}: no valid response before the timeout")
        if _AUTH.search(text):
            return SnmpError("auth", f"{self.address}: SNMPv3 rejected: {text}")
        return SnmpError("error", f"{self.address}: {text}")

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _get(self, oids: Sequence[str]) -> dict[str, Value]:
        try:
            found = self._session.get(list(oids))
        except ezsnmp.GenericError as exc:
            raise self._error(exc) from None
        if len(found) != len(oids):
            raise SnmpError("error", f"{self.address}: {len(found)} values for {len(oids)} requested")
        return {oid: _value(r.type, r.value) for oid, r in zip(oids, found, strict=True)}

    async def get(self, oids: Sequence[str]) -> dict[str, Value]:
        """One GET; an OID the agent does not have maps to None."""
        result: dict[str, Value] = await self._run(self._get, oids)
        return result

    def _bulk(self, oids: list[str], repetitions: int) -> Any:
        # ezsnmp sets max-repetitions from this per-session field before each GETBULK.
        self._session._Session__set_max_repeaters_to_num = str(repetitions)
        return self._session.bulk_get(oids)

    def _walk(
        self, columns: Sequence[str], max_rows: int, max_values: int, max_repetitions: int
    ) -> WalkResult:
        roots = {col: parse_oid(col) for col in columns}
        rows: dict[str, dict[str, Value]] = {col: {} for col in columns}
        last: dict[str, Oid] = dict(roots)
        active = list(columns)
        truncated: list[str] = []
        while active:
            reps = max(1, min(max_repetitions, max_values // len(active)))
            try:
                binds = self._bulk([format_oid(last[c]) for c in active], reps)
            except ezsnmp.GenericError as exc:
                if _TOO_BIG.search(str(exc)) and max_values > len(active):
                    max_values = max(len(active), max_values // 2)
                    continue
                raise self._error(exc) from None
            if not binds:
                break
            done: set[str] = set()
            for position, bind in enumerate(binds):
                col = active[position % len(active)]
                if col in done:
                    continue
                kind = bind.type
                oid = parse_oid(f"{bind.oid}.{bind.index}") if bind.index else parse_oid(bind.oid)
                root = roots[col]
                if kind.startswith(_END) or oid[: len(root)] != root:
                    done.add(col)
                    continue
                if oid <= last[col]:  # an agent that goes backwards would loop for ever
                    raise SnmpError("error", f"{self.address}: OID not increasing at {format_oid(oid)}")
                last[col] = oid
                rows[col][format_oid(oid[len(root) :])] = _value(kind, bind.value)
                if len(rows[col]) >= max_rows:
                    truncated.append(col)
                    done.add(col)
            active = [c for c in active if c not in done]
        return WalkResult(rows, truncated)

    async def walk(
        self, columns: Sequence[str], max_rows: int = 5000, max_values: int = 60, max_repetitions: int = 25
    ) -> WalkResult:
        """Every row of several table columns, the walk run in a worker thread (see the module doc)."""
        result: WalkResult = await self._run(self._walk, columns, max_rows, max_values, max_repetitions)
        return result

    def close(self) -> None:
        self._session.close()
