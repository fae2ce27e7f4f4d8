"""SNMPv2c GET/GETBULK in plain Python: a BER codec cut to what a poller sends and reads.

Why not only net-snmp: ezsnmp formats each value as net-snmp prints it and hands back strings
(~96 µs of CPU a value here, the same order as pysnmp's pyasn1 decoder). A v2c response is a
handful of TLVs per value; read straight from the datagram into ints and strs it costs a few µs.
SNMPv3 (USM keys, authentication and privacy) stays with net-snmp (monitoring/netsnmp.py).

`V2cSession` has the interface of `snmp.Session` (get, walk, address): one connected UDP socket
per agent, request ids matched, retries on timeout, an undecodable datagram ignored (as an agent
that never answered).
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from typing import Any

from provdc.monitoring.snmp import Oid, SnmpError, Value, WalkResult, format_oid, parse_oid

_GET, _BULK, _RESPONSE = 0xA0, 0xA5, 0xA2
_END = object()  # endOfMibView
_IDS = itertools.count(0x1000)
_ERRORS = {1: "tooBig", 2: "noSuchName", 3: "badValue", 4: "readOnly", 5: "genErr"}


class BerError(ValueError):
    """A datagram that is not a well-formed SNMPv2c response."""


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _length(len(body)) + body


def _int(n: int) -> bytes:
    return _tlv(0x02, n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big", signed=True))


def encode_oid(oid: Oid) -> bytes:
    out = bytearray([oid[0] * 40 + oid[1]])
    for sub in oid[2:]:
        if sub < 0x80:
            out.append(sub)
            continue
        chunk = []
        while sub:
            chunk.append((sub & 0x7F) | 0x80)
            sub >>= 7
        chunk[0] &= 0x7F
        out.extend(reversed(chunk))
    return _tlv(0x06, bytes(out))


def request(
    community: bytes, pdu: int, request_id: int, oids: Sequence[Oid], a: int = 0, b: int = 0
) -> bytes:
    """A GetRequest (a, b: 0) or GetBulkRequest (a: non-repeaters, b: max-repetitions)."""
    binds = b"".join(_tlv(0x30, encode_oid(o) + b"\x05\x00") for o in oids)
    body = _int(request_id) + _int(a) + _int(b) + _tlv(0x30, binds)
    return _tlv(0x30, _int(1) + _tlv(0x04, community) + _tlv(pdu, body))


def _read(buf: bytes, i: int) -> tuple[int, int, int]:
    """Tag, start and end of the content of the TLV at i."""
    try:
        tag, n = buf[i], buf[i + 1]
    except IndexError:
        raise BerError("truncated") from None
    i += 2
    if n & 0x80:
        size = n & 0x7F
        if size == 0 or size > 4:
            raise BerError("bad length")
        n = int.from_bytes(buf[i : i + size], "big")
        i += size
    end = i + n
    if end > len(buf):
        raise BerError("length past the datagram")
    return tag, i, end


def _oid(buf: bytes, start: int, end: int) -> Oid:
    if start >= end:
        raise BerError("empty OID")
    first = buf[start]
    out = [first // 40, first % 40] if first < 80 else [2, first - 80]
    sub = 0
    for byte in buf[start + 1 : end]:
        sub = (sub << 7) | (byte & 0x7F)
        if not byte & 0x80:
            out.append(sub)
            sub = 0
    return tuple(out)


def _value(tag: int, buf: bytes, start: int, end: int) -> Any:
    """A value as `snmp.to_python` gives it; `_END` for endOfMibView, None for the others missing."""
    if tag == 0x04:
        return buf[start:end].decode("utf-8", errors="replace").rstrip("\x00")
    if tag == 0x02:
        return int.from_bytes(buf[start:end], "big", signed=True)
    if tag in (0x41, 0x42, 0x43, 0x46, 0x47):  # Counter32, Gauge32, TimeTicks, Counter64, UInteger32
        return int.from_bytes(buf[start:end], "big")
    if tag == 0x06:
        return format_oid(_oid(buf, start, end))
    if tag == 0x40:
        return ".".join(str(b) for b in buf[start:end])
    if tag == 0x82:
        return _END
    if tag in (0x05, 0x80, 0x81):  # NULL, noSuchObject, noSuchInstance
        return None
    return buf[start:end].hex()  # Opaque and anything else: as hex text


def decode_response(buf: bytes) -> tuple[int, int, int, list[tuple[Oid, Any]]]:
    """Request id, error status, error index and var-binds of a v2c Response."""
    tag, i, end = _read(buf, 0)
    if tag != 0x30:
        raise BerError("not a SEQUENCE")
    tag, s, e = _read(buf, i)  # version
    if tag != 0x02 or buf[s:e] != b"\x01":
        raise BerError("not SNMPv2c")
    tag, s, e = _read(buf, e)  # community
    tag, i, end = _read(buf, e)
    if tag != _RESPONSE:
        raise BerError(f"PDU 0x{tag:02x} is not a Response")
    fields = []
    for _ in range(3):
        tag, s, i = _read(buf, i)
        if tag != 0x02:
            raise BerError("bad PDU header")
        fields.append(int.from_bytes(buf[s:i], "big", signed=True))
    tag, i, end = _read(buf, i)
    binds = []
    while i < end:
        _, s, i = _read(buf, i)
        tag, os_, oe = _read(buf, s)
        if tag != 0x06:
            raise BerError("var-bind without an OID")
        vtag, vs, ve = _read(buf, oe)
        binds.append((_oid(buf, os_, oe), _value(vtag, buf, vs, ve)))
    return fields[0], fields[1], fields[2], binds


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.pending: dict[int, asyncio.Future[tuple[int, int, list[tuple[Oid, Any]]]]] = {}
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram transport here

    def datagram_received(self, data: bytes, addr: Any) -> None:
        try:
            request_id, status, index, binds = decode_response(data)
        except (BerError, IndexError, ValueError):
            return  # not an answer we can read: as if none came
        future = self.pending.get(request_id)
        if future is not None and not future.done():
            future.set_result((status, index, binds))

    def error_received(self, exc: Exception) -> None:  # ICMP port unreachable: wait for the timeout
        pass


class V2cSession:
    """Requests to one SNMPv2c agent over one connected UDP socket, reused every cycle."""

    def __init__(self, community: str, host: str, port: int, timeout: float, retries: int) -> None:
        self.address = f"{host}:{port}"
        self._community = community.encode("utf-8")
        self._peer = (host, port)
        self._timeout = timeout
        self._retries = retries
        self._protocol: _Protocol | None = None

    async def _exchange(self, pdu: int, oids: Sequence[Oid], a: int = 0, b: int = 0) -> Any:
        if self._protocol is None or self._protocol.transport is None:
            loop = asyncio.get_running_loop()
            _, self._protocol = await loop.create_datagram_endpoint(_Protocol, remote_addr=self._peer)
        proto = self._protocol
        assert proto.transport is not None
        request_id = next(_IDS) & 0x7FFFFFFF
        message = request(self._community, pdu, request_id, oids, a, b)
        future = proto.pending[request_id] = asyncio.get_running_loop().create_future()
        try:
            for _ in range(self._retries + 1):
                proto.transport.sendto(message)
                try:
                    return await asyncio.wait_for(asyncio.shield(future), self._timeout)
                except TimeoutError:
                    continue
            raise SnmpError("timeout", f"{self.address}: no valid response before the timeout")
        finally:
            proto.pending.pop(request_id, None)

    def _check(self, status: int, index: int) -> None:
        if status:
            name = _ERRORS.get(status, str(status))
            raise SnmpError("error", f"{self.address}: agent answered {name} at var-bind {index}")

    async def get(self, oids: Sequence[str]) -> dict[str, Value]:
        """One GET; an OID the agent does not have maps to None."""
        status, index, binds = await self._exchange(_GET, [parse_oid(o) for o in oids])
        self._check(status, index)
        if len(binds) != len(oids):
            raise SnmpError("error", f"{self.address}: {len(binds)} values for {len(oids)} requested")
        return {oid: (None if v is _END else v) for oid, (_, v) in zip(oids, binds, strict=True)}

    async def walk(
        self, columns: Sequence[str], max_rows: int = 5000, max_values: int = 60, max_repetitions: int = 25
    ) -> WalkResult:
        """Every row of several table columns with one GETBULK for all columns still going."""
        roots = {col: parse_oid(col) for col in columns}
        rows: dict[str, dict[str, Value]] = {col: {} for col in columns}
        last: dict[str, Oid] = dict(roots)
        active = list(columns)
        truncated: list[str] = []
        while active:
            reps = max(1, min(max_repetitions, max_values // len(active)))
            status, index, binds = await self._exchange(_BULK, [last[c] for c in active], 0, reps)
            if status == 1 and max_values > len(active):  # tooBig: ask for fewer
                max_values = max(len(active), max_values // 2)
                continue
            self._check(status, index)
            if not binds:
                break
            done: set[str] = set()
            width = len(active)
            for position, (oid, value) in enumerate(binds):
                col = active[position % width]
                if col in done:
                    continue
                root = roots[col]
                if value is _END or oid[: len(root)] != root:
                    done.add(col)
                    continue
                if oid <= last[col]:  # an agent that goes backwards would loop for ever
                    raise SnmpError("error", f"{self.address}: OID not increasing at {format_oid(oid)}")
                last[col] = oid
                rows[col][format_oid(oid[len(root) :])] = value
                if len(rows[col]) >= max_rows:
                    truncated.append(col)
                    done.add(col)
            active = [c for c in active if c not in done]
        return WalkResult(rows, truncated)

    def close(self) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None
