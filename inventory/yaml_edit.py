"""Round-trip YAML edits of inventory files (comments and quoting kept), for tools that rewrite them.

The loader never reads through this module: it is for writing files the loader then validates.
"""

from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from provdc.core.errors import ProvdcError
from provdc.inventory.source import inventory_files


def rt_yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    y.representer.ignore_aliases = lambda *_: True  # the loader refuses anchors: write values out
    return y


def dump(doc: Any) -> str:
    buf = StringIO()
    rt_yaml().dump(doc, buf)
    return buf.getvalue()


def quoted(text: str) -> DoubleQuotedScalarString:
    value: DoubleQuotedScalarString = DoubleQuotedScalarString(text)
    return value


def flow(items: dict[str, Any]) -> CommentedMap:
    m = CommentedMap(items)
    m.fa.set_flow_style()
    return m


def append_provider_edges(
    root: Path, files: dict[Path, bytes], pes: list[tuple[str, str]]
) -> dict[Path, bytes]:
    """`files` with (name, loopback) PEs appended to the carrier section of whichever file has it."""
    if not pes:
        return files
    for path in inventory_files(root):
        rel = path.relative_to(root)
        doc = rt_yaml().load(files[rel].decode("utf-8"))
        if isinstance(doc, CommentedMap) and "carrier" in doc:
            edges = doc["carrier"]["provider_edges"]
            for name, loopback in pes:
                edges.append(flow({"name": name, "loopback": loopback}))
            return {**files, rel: dump(doc).encode("utf-8")}
    raise ProvdcError(f"{root}: no file has the carrier section")


__all__ = ["CommentedMap", "CommentedSeq", "append_provider_edges", "dump", "flow", "quoted", "rt_yaml"]
