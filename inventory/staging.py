"""Writing a whole inventory folder: staged beside its place, validated, then swapped in.

Each file is written atomically (provdc.core.files) into a hidden folder next to DIR; the caller
validates the staged folder; only then does it take DIR's place by one rename. A DIR that holds
anything is replaced only when asked (force) and is kept, renamed, as the backup.
"""

import os
import shutil
import tempfile
import time
from pathlib import Path

from provdc.core.errors import ProvdcError
from provdc.core.files import write_file


def tree_files(root: Path) -> dict[Path, bytes]:
    """Every regular file under `root` (relative path → bytes); symlinks are not followed."""
    return {
        p.relative_to(root): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def refuse_existing(out: Path, force: bool) -> None:
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise ProvdcError(f"{out}: is not a folder; left as it is")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ProvdcError(f"{out}: folder is not empty (give --force to replace it; it is kept as a backup)")


def stage_files(out: Path, files: dict[Path, bytes]) -> Path:
    """A hidden folder beside `out` holding `files`, each written atomically."""
    parent = Path(os.path.abspath(out)).parent
    if not parent.is_dir():
        raise ProvdcError(f"{out}: folder {parent} does not exist")
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    try:
        for rel, data in files.items():
            if rel.is_absolute() or ".." in rel.parts:
                raise ProvdcError(f"{rel}: not a path inside the inventory")
            target = stage / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file(target, data)
    except BaseException:
        discard(stage)
        raise
    return stage


def discard(stage: Path) -> None:
    shutil.rmtree(stage, ignore_errors=True)


def swap_in(stage: Path, out: Path, force: bool) -> Path | None:
    """The staged folder takes `out`'s place; returns the backup of what was there, if anything."""
    try:
        refuse_existing(out, force)
        backup = None
        if out.is_dir():
            if any(out.iterdir()):
                backup = out.with_name(f"{out.name}.bak-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
                os.rename(out, backup)
            else:
                out.rmdir()
        os.rename(stage, out)
    except OSError as exc:
        discard(stage)
        raise ProvdcError(f"{out}: cannot put the new inventory in place: {exc.strerror}") from None
    except BaseException:
        discard(stage)
        raise
    return backup
