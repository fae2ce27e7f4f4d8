"""Writing the files a user names (`--out`, `--output`, render folders): whole or not at all.

A write lands on a regular file only. Through a symlink it writes the file the link points to;
a device, FIFO, socket or folder in the way is refused and left as it was, so `--out /dev/full`
can never replace a device node. The data goes to an unnamed temporary file in the same folder
(O_TMPFILE where the file system has it, so a killed run leaves nothing behind), is synced to disk,
then takes the file's place by rename. Every failure is one ProvdcError line.
"""

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from provdc.core.errors import ProvdcError

_KINDS = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
    stat.S_IFLNK: "a symbolic link that cannot be resolved",
}


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def _fail(path: Path, what: str) -> ProvdcError:
    return ProvdcError(f"{path}: {what}")


def _lstat(path: Path, shown: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise _fail(shown, "a part of its folder path is a file, not a folder") from None
    except OSError as exc:
        raise _fail(shown, f"cannot write: {exc.strerror}") from None


def writable_target(path: Path) -> tuple[Path, os.stat_result | None]:
    """The regular file a write to `path` would replace (symlinks followed) and its stat.

    The stat is None when the file does not exist yet. Raises ProvdcError when something other
    than a regular file is there, or when the folder it would go in is missing or not a folder.
    """
    real = Path(os.path.realpath(path))
    found = _lstat(real, path)
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise _fail(path, f"is {_kind(found.st_mode)}, not a regular file; left as it is")
    folder = real.parent
    try:
        folder_stat = os.stat(folder)
    except FileNotFoundError:
        raise _fail(path, f"folder {folder} does not exist") from None
    except NotADirectoryError:
        raise _fail(path, f"{folder} is not a folder") from None
    except OSError as exc:
        raise _fail(path, f"cannot write into {folder}: {exc.strerror}") from None
    if not stat.S_ISDIR(folder_stat.st_mode):
        raise _fail(path, f"{folder} is not a folder")
    return real, found


def _unnamed(folder: Path) -> int | None:
    """An O_TMPFILE descriptor in `folder`, or None where the file system cannot make one."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not Path("/proc/self/fd").is_dir():
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    except IsADirectoryError:
        return None  # kernel or file system without O_TMPFILE
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EINVAL):  # file system without O_TMPFILE
            return None
        raise


def _name(fd: int, name: Path) -> None:
    """Give an O_TMPFILE file a name; linkat() follows /proc's link only when asked explicitly."""
    proc = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(f"self/fd/{fd}", name, src_dir_fd=proc, follow_symlinks=True)
    finally:
        os.close(proc)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_file(path: Path, data: bytes | str, mode: int = 0o644) -> Path:
    """Write `data` (str as UTF-8) to `path` atomically; returns the file written.

    An existing file keeps its mode (and, for root, its owner); a new one gets `mode`.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    real, before = writable_target(path)
    if before is not None:
        mode = stat.S_IMODE(before.st_mode)
    staged: Path | None = None
    fd: int | None = None
    try:
        fd = _unnamed(real.parent)
        if fd is None:
            fd, name = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
            staged = Path(name)
        _write_all(fd, payload)
        os.fchmod(fd, mode)
        if before is not None and os.geteuid() == 0:
            with contextlib.suppress(OSError):
                os.fchown(fd, before.st_uid, before.st_gid)
        os.fsync(fd)
        if staged is None:
            staged = real.with_name(f".{real.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp")
            _name(fd, staged)
        now = _lstat(real, path)
        if now is not None and not stat.S_ISREG(now.st_mode):
            raise _fail(path, f"became {_kind(now.st_mode)} while writing; left as it is")
        os.rename(staged, real)
        staged = None
        _sync_folder(real.parent)
    except OSError as exc:
        raise _fail(path, f"cannot write: {exc.strerror}") from None
    finally:
        if fd is not None:
            os.close(fd)
        if staged is not None:
            with contextlib.suppress(OSError):
                staged.unlink()
    return path


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def output_folder(path: Path) -> Path:
    """A folder to write files into: made when missing (its parent must exist), refused if not a folder."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        found = None
    except NotADirectoryError:
        raise _fail(path, "a part of this path is a file, not a folder") from None
    except OSError as exc:
        raise _fail(path, f"cannot use: {exc.strerror}") from None
    if found is not None:
        if not stat.S_ISDIR(found.st_mode):
            raise _fail(path, f"is {_kind(found.st_mode)}, not a folder")
        return path
    writable_target(path)  # the parent must exist and be a folder
    try:
        path.mkdir()
    except FileExistsError:
        if not path.is_dir():
            raise _fail(path, "is not a folder") from None
    except OSError as exc:
        raise _fail(path, f"cannot make the folder: {exc.strerror}") from None
    return path
