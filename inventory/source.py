"""Reading inventory files: UTF-8 YAML with every node's line kept for error messages."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

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
    data: CommentedMap


def inventory_files(root: Path) -> list[Path]:
    """The YAML files of an inventory: one file, or every *.yml/*.yaml under a folder but targets/."""
    if root.is_file():
        return [root]
    files = [p for p in sorted(root.rglob("*")) if p.suffix in (".yml", ".yaml") and p.is_file()]
    return [p for p in files if "targets" not in p.relative_to(root).parts]


def read_document(path: Path, shown: str) -> Document | Problem:
    """Parse one file, or say in one Problem why it cannot be read."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return Problem(shown, 0, "unreadable", f"cannot read: {exc.strerror}")
    if size > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        return Problem(shown, 1, "too-large", f"file is {size / 2**20:.0f} MiB, over the {limit} MiB limit")
    raw = path.read_bytes()
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
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = (exc.problem or exc.context or "malformed YAML").strip()
        return Problem(shown, line, "yaml", f"malformed YAML: {what}")
    except YAMLError as exc:
        return Problem(shown, 1, "yaml", f"malformed YAML: {str(exc).splitlines()[0]}")
    if not isinstance(data, CommentedMap):
        return Problem(shown, 1, "shape", "expected a mapping of sections at the top of the file")
    return Document(shown, data)


def line_of(node: Any, loc: Sequence[int | str]) -> int:
    """The 1-based line of the deepest node along `loc` (a pydantic error location)."""
    line = node.lc.line + 1 if hasattr(node, "lc") else 1
    for key in loc:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    return line


def items_with_lines(seq: Any) -> Iterator[tuple[int, Any]]:
    """(line, item) of a YAML sequence."""
    if isinstance(seq, CommentedSeq):
        for i, item in enumerate(seq):
            yield seq.lc.item(i)[0] + 1, item
