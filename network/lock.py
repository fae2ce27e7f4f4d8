"""One push at a time per target: an fcntl lock under the state dir, released when the process ends."""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from provdc.core.errors import ProvdcError
from provdc.inventory import state_dir


@contextmanager
def push_lock(target: str) -> Iterator[None]:
    """Held for the whole push; a second push to the same target fails at once with one line."""
    folder = state_dir() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"push-{target}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise ProvdcError(
                f"another push to target {target} is running (pid {holder}; lock {path})"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
