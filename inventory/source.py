"""Reading inventory files: UTF-8 YAML with every node's line kept for error messages."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

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


class YMap(dict[Any, Any]):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 1
    lines: dict[Any, int]


class YSeq(list[Any]):
    """A YAML sequence that remembers the line of each item (1-based)."""

    line: int = 1
    lines: list[int]


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int, first: int) -> None:
        super().__init__(f"duplicate key '{key}' (first at line {first})")
        self.line = line


_SCALARS = SafeConstructor()
# Parse with libyaml's C composer when present: the whole province parses in a few milliseconds.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _construct(node: Node) -> Any:
    if isinstance(node, MappingNode):
        out = YMap()
        out.line, out.lines = node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            key = _construct(key_node)
            line = key_node.start_mark.line + 1
            if key in out.lines:
                raise _DuplicateKey(key, line, out.lines[key])
            out[key], out.lines[key] = _construct(value_node), line
        return out
    if isinstance(node, SequenceNode):
        seq = YSeq(_construct(item) for item in node.value)
        seq.line, seq.lines = node.start_mark.line + 1, [i.start_mark.line + 1 for i in node.value]
        return seq
    assert isinstance(node, ScalarNode)
    return _SCALARS.construct_object(node)


@dataclass(frozen=True)
class Document:
    path: str
    data: YMap


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
        node = yaml.compose(text, Loader=_LOADER)  # nodes only; no object is built from tags
        data = _construct(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = (exc.problem or "malformed YAML").strip()
        if exc.context and exc.context_mark:
            what += f" ({exc.context.strip()} started at line {exc.context_mark.line + 1})"
        return Problem(shown, mark.line + 1 if mark else 1, "yaml", f"malformed YAML: {what}")
    except yaml.YAMLError as exc:
        return Problem(shown, 1, "yaml", f"malformed YAML: {str(exc).splitlines()[0]}")
    except _DuplicateKey as exc:
        return Problem(shown, exc.line, "yaml", f"malformed YAML: {exc}")
    except (ValueError, TypeError) as exc:  # e.g. an unhashable key or an impossible date
        return Problem(shown, 1, "yaml", f"malformed YAML: {exc}")
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
