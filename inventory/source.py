"""Reading inventory files: UTF-8 YAML with every node's line kept for error messages."""

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from provdc.inventory import yaml_bounded
from provdc.inventory.yaml_bounded import YMap, YSeq

__all__ = [
    "Document",
    "Problem",
    "YMap",
    "YSeq",
    "inventory_files",
    "line_of",
    "read_document",
    "scan_inventory",
]

MAX_FILE_BYTES = 8 * 1024 * 1024  # the whole province is ~100 kB; anything this large is a mistake


@dataclass(frozen=True)
class Problem:
    """One finding of the loader or a check: what, where, and a stable code for CI."""

    file: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class Document:
    path: str
    data: YMap


@dataclass
class Scan:
    """The YAML files of an inventory, and why any entry of the folder could not be taken."""

    paths: list[Path] = field(default_factory=list)
    problems: list[tuple[Path, str, str]] = field(default_factory=list)  # (path, code, message)


_OUTSIDE = "symlink leads outside the inventory folder; not read"


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in (".yml", ".yaml")


def _scan_link(entry: Path, root: Path, out: Scan) -> None:
    """A symlinked .yml: read only when it stays inside the folder and ends at a regular file."""
    try:
        target = entry.resolve(strict=True)
    except FileNotFoundError:
        out.problems.append((entry, "broken-link", "symlink points to nothing"))
        return
    except (RuntimeError, OSError):  # a loop: RuntimeError before Python 3.13, ELOOP after
        out.problems.append((entry, "broken-link", "symlink loop"))
        return
    if not target.is_relative_to(root):
        # The target is neither read nor named: its path or content could be a secret.
        out.problems.append((entry, "outside", _OUTSIDE))
    elif target.is_file():
        out.paths.append(entry)
    elif not target.is_dir():
        out.problems.append((entry, "not-a-file", "not a regular file; not read"))


def scan_inventory(root: Path) -> Scan:
    """Every *.yml/*.yaml (any case) under a folder but targets/, or the one file given."""
    out = Scan()
    if not root.is_dir():
        out.paths.append(root)
        return out
    real_root = root.resolve()
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError as exc:
            out.problems.append((folder, "unreadable", f"cannot list folder: {exc.strerror}"))
            continue
        for entry in entries:
            if entry.is_symlink():
                if _is_yaml(entry):
                    _scan_link(entry, real_root, out)
                elif not entry.resolve().is_relative_to(real_root):
                    out.problems.append(
                        (entry, "outside", "symlink leads outside the inventory folder; not read")
                    )
            elif entry.is_dir():
                if not (folder == root and entry.name == "targets"):
                    folders.append(entry)
            elif _is_yaml(entry):
                if entry.is_file():
                    out.paths.append(entry)
                else:
                    out.problems.append((entry, "not-a-file", "not a regular file; not read"))
    out.paths.sort()
    return out


def inventory_files(root: Path) -> list[Path]:
    """The YAML files of an inventory (see scan_inventory), without the entries it could not take."""
    return scan_inventory(root).paths


def _read_bytes(path: Path, shown: str) -> bytes | Problem:
    """The file's bytes, or why not. Opened without blocking, so a FIFO cannot hang the loader."""
    limit = f"over the {MAX_FILE_BYTES // 2**20} MiB limit"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return Problem(shown, 0, "unreadable", f"cannot read: {exc.strerror or exc}")
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Problem(shown, 0, "not-a-file", "not a regular file; not read")
        if info.st_size > MAX_FILE_BYTES:
            return Problem(shown, 1, "too-large", f"file is {info.st_size / 2**20:.0f} MiB, {limit}")
        try:
            raw = f.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            return Problem(shown, 0, "unreadable", f"cannot read: {exc.strerror or exc}")
    if len(raw) > MAX_FILE_BYTES:  # it grew while being read
        return Problem(shown, 1, "too-large", f"file is {limit}")
    return raw


def read_document(path: Path, shown: str) -> Document | Problem:
    """Parse one file, or say in one Problem why it cannot be read."""
    raw = _read_bytes(path, shown)
    if isinstance(raw, Problem):
        return raw
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Problem(
            shown, line, "not-utf8", f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        )
    if not text.strip() or all(ln.lstrip().startswith("#") for ln in text.splitlines() if ln.strip()):
        return Problem(shown, 1, "empty", "file is empty")
    try:
        data = yaml_bounded.load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = (exc.problem or "malformed YAML").strip()
        if exc.context and exc.context_mark:
            what += f" ({exc.context.strip()} started at line {exc.context_mark.line + 1})"
        return Problem(shown, mark.line + 1 if mark else 1, "yaml", f"malformed YAML: {what}")
    except yaml.YAMLError as exc:
        return Problem(shown, 1, "yaml", f"malformed YAML: {str(exc).splitlines()[0]}")
    except yaml_bounded.YamlRefused as exc:
        return Problem(shown, exc.line, "yaml", f"malformed YAML: {exc.message}")
    if not isinstance(data, YMap):
        return Problem(shown, 1, "shape", "expected a mapping of sections at the top of the file")
    return Document(shown, data)


def line_of(node: Any, loc: Sequence[int | str]) -> int:
    """The 1-based line of the deepest node along `loc` (a pydantic error location)."""
    line: int = getattr(node, "line", 1)
    for key in loc:
        found = (isinstance(node, YMap) and key in node.lines) or (
            isinstance(node, YSeq) and isinstance(key, int) and 0 <= key < len(node)
        )
        if not found:
            break
        line, node = node.lines[key], node[key]
    return line


def items_with_lines(seq: YSeq) -> Iterator[tuple[int, Any]]:
    """(line, item) of a YAML sequence."""
    yield from zip(seq.lines, seq, strict=True)
