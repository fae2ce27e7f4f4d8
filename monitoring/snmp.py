"""SNMP over pysnmp's asyncio API: one engine per loop and credential set, GET and a multi-column GETBULK.

`bulk_walk_cmd` walks one column at a time; `Session.walk` sends one GETBULK for all the columns
still going and drops each column as soon as its rows end, so a table of n columns costs about
rows / max-repetitions round trips, not n times that. OIDs stay numeric (`lookupMib=False`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pysnmp.entity.rfc3413 import cmdgen  # type: ignore[import-untyped]
from pysnmp.hlapi.v3arch.asyncio import (  # type: ignore[import-untyped]
    CommunityData,
    ContextData,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    usm3DESEDEPrivProtocol,
    usmAesCfb128Protocol,
    usmAesCfb192Protocol,
    usmAesCfb256Protocol,
    usmDESPrivProtocol,
    usmHMAC192SHA256AuthProtocol,
    usmHMAC384SHA512AuthProtocol,
    usmHMACMD5AuthProtocol,
    usmHMACSHAAuthProtocol,
)
from pysnmp.hlapi.v3arch.asyncio.lcd import CommandGeneratorLcdConfigurator  # type: ignore[import-untyped]
from pysnmp.proto import rfc1902, rfc1905  # type: ignore[import-untyped]

Value = int | str | None
# auto: SNMPv2c through monitoring.ber (plain-Python BER), SNMPv3 through pysnmp.
Codec = Literal["auto", "ber", "netsnmp", "pysnmp"]
DEFAULT_CODEC: Codec = "auto"
_LCD = CommandGeneratorLcdConfigurator()
_NULL = rfc1902.Null("")
Oid = tuple[int, ...]

AUTH_PROTOCOLS = {
    "MD5": usmHMACMD5AuthProtocol,
    "SHA": usmHMACSHAAuthProtocol,
    "SHA256": usmHMAC192SHA256AuthProtocol,
    "SHA512": usmHMAC384SHA512AuthProtocol,
}
PRIV_PROTOCOLS = {
    "DES": usmDESPrivProtocol,
    "3DES": usm3DESEDEPrivProtocol,
    "AES": usmAesCfb128Protocol,
    "AES192": usmAesCfb192Protocol,
    "AES256": usmAesCfb256Protocol,
}
# pysnmp's error indications that mean the agent rejected who we are, not that it is away.
AUTH_ERRORS = {
    "UnknownUserName",
    "WrongDigest",
    "DecryptionError",
    "UnsupportedSecLevel",
    "UnknownSecurityName",
    "AuthenticationError",
    "NotInTimeWindow",
}


@dataclass(frozen=True)
class V2c:
    community: str = field(repr=False)

    @property
    def key(self) -> tuple[str, ...]:
        return ("v2c",)


@dataclass(frozen=True)
class V3:
    """SNMPv3 USM user, authPriv."""

    user: str
    auth_key: str = field(repr=False)
    priv_key: str = field(repr=False)
    auth_protocol: str = "SHA"
    priv_protocol: str = "AES"

    @property
    def key(self) -> tuple[str, ...]:
        """Engines are shared by users with the same credentials."""
        return ("v3", self.user, self.auth_key, self.priv_key, self.auth_protocol, self.priv_protocol)


Credentials = V2c | V3


class SnmpError(Exception):
    """A request that got no usable answer; `kind` is timeout, auth or error."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def parse_oid(text: str) -> Oid:
    return tuple(int(p) for p in text.strip(".").split("."))


def format_oid(oid: Iterable[int]) -> str:
    return ".".join(str(p) for p in oid)


def to_python(value: Any) -> Value:
    """A decoded SNMP value as int or str; None for noSuchObject/noSuchInstance/endOfMibView."""
    if isinstance(value, rfc1905.NoSuchObject | rfc1905.NoSuchInstance | rfc1905.EndOfMibView):
        return None
    if isinstance(value, rfc1902.ObjectIdentifier):
        return format_oid(value)
    if isinstance(value, rfc1902.IpAddress):
        return ".".join(str(b) for b in bytes(value))
    if isinstance(value, rfc1902.OctetString):
        return bytes(value).decode("utf-8", errors="replace").rstrip("\x00")
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


def _auth_data(creds: Credentials) -> CommunityData | UsmUserData:
    if isinstance(creds, V2c):
        return CommunityData(creds.community, mpModel=1)
    return UsmUserData(
        creds.user,
        authKey=creds.auth_key,
        privKey=creds.priv_key,
        authProtocol=AUTH_PROTOCOLS[creds.auth_protocol],
        privProtocol=PRIV_PROTOCOLS[creds.priv_protocol],
    )


class AgentSession(Protocol):
    """Requests to one agent, whichever codec sends them."""

    address: str

    async def get(self, oids: Sequence[str]) -> dict[str, Value]: ...

    async def walk(
        self, columns: Sequence[str], max_rows: int = 5000, max_values: int = 60, max_repetitions: int = 25
    ) -> WalkResult: ...


class Engines:
    """The sessions of one event loop and what they share.

    `auto` (the default): SNMPv2c agents through `ber` (monitoring.ber, one UDP socket per agent
    on the loop), SNMPv3 through `pysnmp`. `netsnmp` (monitoring.netsnmp: one net-snmp session per
    agent, requests in a thread pool) only when asked for. `pysnmp`: SnmpEngines, one for every
    v2c agent and one per v3 credential set; an engine costs ~100 ms to create and is bound to its
    loop: create `Engines` inside the loop and close it when the loop's work is done.
    docs/monitoring.md: which codec when.
    """

    def __init__(self, codec: Codec = DEFAULT_CODEC, threads: int = 128) -> None:
        self.codec = codec
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._engines: dict[tuple[str, ...], SnmpEngine] = {}
        self._sessions: dict[tuple[object, ...], AgentSession] = {}

    def engine(self, creds: Credentials) -> SnmpEngine:
        engine = self._engines.get(creds.key)
        if engine is None:
            engine = self._engines[creds.key] = SnmpEngine()
        return engine

    def executor(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="provdc-snmp")
        return self._executor

    async def session(
        self,
        creds: Credentials,
        host: str,
        port: int,
        timeout: float,
        retries: int,
        codec: Codec | None = None,
    ) -> AgentSession:
        """The agent's session, made on first use and kept: `watch` and `serve` reuse it every cycle."""
        codec = codec or self.codec
        key = (codec, creds, host, port, timeout, retries)  # the community too: agents may share an address
        session = self._sessions.get(key)
        if session is None:
            if codec in ("auto", "ber") and isinstance(creds, V2c):
                from provdc.monitoring.ber import V2cSession  # imports this module

                session = V2cSession(creds.community, host, port, timeout, retries)
            elif codec == "netsnmp":
                from provdc.monitoring.netsnmp import NetSnmpSession  # imports this module

                session = NetSnmpSession(creds, host, port, timeout, retries, self.executor())
            else:
                session = await Session.open(self, creds, host, port, timeout, retries)
            self._sessions[key] = session
        return session

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close_dispatcher()
        self._engines.clear()
        for session in self._sessions.values():
            close = getattr(session, "close", None)
            if close is not None:
                close()
        self._sessions.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


def _raise_for(indication: Any, status: Any, index: Any, address: str) -> None:
    if indication:
        kind = type(indication).__name__
        if kind == "RequestTimedOut":
            raise SnmpError("timeout", f"{address}: no valid response before the timeout")
        if kind in AUTH_ERRORS:
            raise SnmpError("auth", f"{address}: SNMPv3 rejected: {indication}")
        raise SnmpError("error", f"{address}: {indication}")
    if status and int(status) != 0:
        raise SnmpError("error", f"{address}: agent answered {_status_name(status)} at var-bind {int(index)}")


def _status_name(status: Any) -> str:
    """errorStatus as RFC 3416 names it (tooBig, noSuchName…)."""
    if not status:
        return "noError"
    return str(status.prettyPrint()) if hasattr(status, "prettyPrint") else str(status)


@dataclass
class WalkResult:
    """Rows per column (index → value); `truncated` names columns cut at the row limit."""

    columns: dict[str, dict[str, Value]]
    truncated: list[str]


class Session:
    """Requests to one agent; the transport target is built once and reused."""

    def __init__(
        self, engine: SnmpEngine, creds: Credentials, target: UdpTransportTarget, address: str
    ) -> None:
        self._engine = engine
        self._auth = _auth_data(creds)
        self._target = target
        self._context = ContextData()
        self.address = address

    @classmethod
    async def open(
        cls, engines: Engines, creds: Credentials, host: str, port: int, timeout: float, retries: int
    ) -> Session:
        target = await UdpTransportTarget.create((host, port), timeout=timeout, retries=retries)
        return cls(engines.engine(creds), creds, target, f"{host}:{port}")

    async def _send(self, oids: Sequence[Oid], repetitions: int | None) -> tuple[Any, Any, Any, Any]:
        """A GET (repetitions None) or GETBULK through pysnmp's command generator.

        The hlapi's get_cmd/bulk_cmd would resolve every request OID through a MIB view (a few ms a
        request even with numeric OIDs); the request is built from numeric OIDs as they are.
        """
        addr, _ = _LCD.configure(self._engine, self._auth, self._target, self._context.contextName)
        future: asyncio.Future[tuple[Any, Any, Any, Any]] = asyncio.get_running_loop().create_future()

        def done(
            _engine: Any, _handle: Any, indication: Any, status: Any, index: Any, binds: Any, _ctx: Any
        ) -> None:
            if not future.done():
                future.set_result((indication, status, index, binds))

        binds = [(rfc1902.ObjectName(oid), _NULL) for oid in oids]
        ctx = self._context
        if repetitions is None:
            cmdgen.GetCommandGenerator().send_varbinds(
                self._engine, addr, ctx.contextEngineId, ctx.contextName, binds, done, None
            )
        else:
            cmdgen.BulkCommandGenerator().send_varbinds(
                self._engine, addr, ctx.contextEngineId, ctx.contextName, 0, repetitions, binds, done, None
            )
        return await future

    async def get(self, oids: Sequence[str]) -> dict[str, Value]:
        """One GET; an OID the agent does not have maps to None."""
        indication, status, index, binds = await self._send([parse_oid(o) for o in oids], None)
        _raise_for(indication, status, index, self.address)
        if len(binds) != len(oids):
            raise SnmpError("error", f"{self.address}: {len(binds)} values for {len(oids)} requested")
        return {oid: to_python(b[1]) for oid, b in zip(oids, binds, strict=True)}

    async def walk(
        self, columns: Sequence[str], max_rows: int = 5000, max_values: int = 60, max_repetitions: int = 25
    ) -> WalkResult:
        """Every row of several table columns with hand-driven GETBULK (see the module doc).

        `max_values` bounds the var-binds of one response (repetitions × active columns) so that
        answers stay small enough not to fragment.
        """
        roots = {col: parse_oid(col) for col in columns}
        rows: dict[str, dict[str, Value]] = {col: {} for col in columns}
        last: dict[str, Oid] = dict(roots)
        active = list(columns)
        truncated: list[str] = []
        while active:
            reps = max(1, min(max_repetitions, max_values // len(active)))
            indication, status, index, binds = await self._send([last[c] for c in active], reps)
            if _status_name(status) == "tooBig" and max_values > len(active):
                max_values = max(len(active), max_values // 2)
                continue
            _raise_for(indication, status, index, self.address)
            if not binds:
                break
            done: set[str] = set()
            for position, bind in enumerate(binds):
                col = active[position % len(active)]
                if col in done:
                    continue
                oid, value = tuple(bind[0]), bind[1]
                root = roots[col]
                if isinstance(value, rfc1905.EndOfMibView) or oid[: len(root)] != root:
                    done.add(col)
                    continue
                if oid <= last[col]:  # an agent that goes backwards would loop for ever
                    raise SnmpError("error", f"{self.address}: OID not increasing at {format_oid(oid)}")
                last[col] = oid
                rows[col][format_oid(oid[len(root) :])] = to_python(value)
                if len(rows[col]) >= max_rows:
                    truncated.append(col)
                    done.add(col)
            active = [c for c in active if c not in done]
        return WalkResult(rows, truncated)
