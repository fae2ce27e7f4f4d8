"""Secret references, resolved at the moment of use: `env:NAME` or `file:/path` (a 0600 file).

A secret file must be a regular file of the current user that nobody else may read or write,
at most MAX_SECRET_BYTES, UTF-8, one line. It is opened without blocking (a FIFO cannot hang
the run) and checked on the open descriptor before a byte is read. No error names the value.
"""

import os
import re
import stat
from pathlib import Path

from provdc.core.errors import ProvdcError

MAX_SECRET_BYTES = 64 * 1024
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NOT_ONE_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")  # line breaks, controls


def secret(ref: str) -> str:
    """The value behind a reference; the value itself never appears in an error."""
    scheme, _, what = ref.partition(":")
    if scheme == "env":
        if not _ENV_NAME.fullmatch(what):
            raise ProvdcError(f"secret {ref}: not an environment variable name")
        value = os.environ.get(what)
        if value is None:
            raise ProvdcError(f"secret {ref}: environment variable {what} is not set")
        return _one_line(value, f"secret {ref}")
    if scheme == "file":
        return read_secret_file(Path(what).expanduser(), f"secret {ref}")
    raise ProvdcError(f"secret {ref!r}: a reference is env:NAME or file:/path")


def read_secret_file(path: Path, what: str) -> str:
    """The one-line value of a secret file, held to the rules above; `what` starts each error."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ProvdcError(f"{what}: file not found") from None
    except OSError as exc:
        raise ProvdcError(f"{what}: cannot open: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ProvdcError(f"{what}: not a regular file")
        if info.st_uid != os.geteuid():
            raise ProvdcError(f"{what}: file belongs to another user (uid {info.st_uid})")
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ProvdcError(f"{what}: file is readable by others; chmod 600 it")
        if info.st_size > MAX_SECRET_BYTES:
            raise ProvdcError(f"{what}: file is over {MAX_SECRET_BYTES // 1024} KiB")
        raw = _read(fd, what)
    finally:
        os.close(fd)
    if len(raw) > MAX_SECRET_BYTES or len(raw) != info.st_size:
        raise ProvdcError(f"{what}: file size does not match what was read (a special file?)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProvdcError(f"{what}: not UTF-8 (byte offset {exc.start})") from None
    return _one_line(text, what)


def _read(fd: int, what: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_SECRET_BYTES:
        try:
            chunk = os.read(fd, MAX_SECRET_BYTES + 1 - size)
        except OSError as exc:
            raise ProvdcError(f"{what}: cannot read: {exc.strerror}") from None
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _one_line(text: str, what: str) -> str:
    value = text.removesuffix("\n").removesuffix("\r").strip(" \t")
    if not value:
        raise ProvdcError(f"{what}: empty")
    if _NOT_ONE_LINE.search(value):
        raise ProvdcError(f"{what}: holds more than one line (or a control character); one line only")
    return value
