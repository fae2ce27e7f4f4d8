"""YAML to plain data with every node's line, in bounded time and memory.

libyaml's C parser gives the events; this module builds the data itself, without recursion, and
refuses what an inventory never needs and an attacker would use: anchors and aliases (the
billion-laughs expansion), nesting deeper than MAX_DEPTH, more than MAX_NODES nodes, tags, merge
keys, and the YAML 1.1 readings that surprise (`1:20` is 80, `0x28` is 40, `yes` is true).
"""

import re
import unicodedata
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

MAX_DEPTH = 64  # the province nests 6 levels
MAX_NODES = 100_000  # the largest shipped file has about 11,000
MAX_INT_DIGITS = 19  # no field holds more than a 64-bit number

# libyaml's C parser is about 20 times faster than the pure-Python one.
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(
    r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
# What YAML itself allows in a stream (YAML 1.2 §5.1), so that a NUL or an ESC is named at its line.
_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_KEY_REFUSED = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


class YMap(dict[Any, Any]):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 1
    lines: dict[Any, int]


class YSeq(list[Any]):
    """A YAML sequence that remembers the line of each item (1-based)."""

    line: int = 1
    lines: list[int]


class YamlRefused(Exception):
    """The text is not YAML this loader accepts; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_RESOLVER = Resolver()
_TIMESTAMPS = SafeConstructor()


def _line(event: Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


def _char_name(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'control character')})"


def _brief(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


def _scalar(event: ScalarEvent) -> Any:
    """The value of a scalar by the YAML 1.2 core schema; YAML 1.1's other readings are refused."""
    line, text = _line(event), event.value
    if event.tag not in (None, "!", _TAG + "str"):
        raise YamlRefused(line, f"YAML tag {event.tag.replace(_TAG, '!!')} is not allowed")
    if event.tag is not None:
        return text
    tag = _RESOLVER.resolve(ScalarNode, text, event.implicit).removeprefix(_TAG)  # type: ignore[no-untyped-call]
    if tag == "str":
        return text
    if tag == "null":
        return None
    if tag == "bool":
        if text not in _BOOLS:
            raise YamlRefused(
                line, f"'{_brief(text)}' is read as a boolean by YAML 1.1: write true or false, or quote it"
            )
        return _BOOLS[text]
    if tag == "int":
        if not _DECIMAL_INT.fullmatch(text):
            raise YamlRefused(
                line,
                f"'{_brief(text)}' is not a decimal integer (YAML 1.1 reads it as a number); quote text",
            )
        if len(text.lstrip("+-")) > MAX_INT_DIGITS:
            raise YamlRefused(line, f"integer of {len(text)} digits is too large")
        return int(text)
    if tag == "float":
        if not _DECIMAL_FLOAT.fullmatch(text):
            raise YamlRefused(
                line,
                f"'{_brief(text)}' is not a decimal number (YAML 1.1 reads it as a number); quote text",
            )
        special = text.lower().lstrip("+")
        if special in (".inf", "-.inf", ".nan"):
            return float(special.replace(".", ""))
        return float(text)
    if tag == "timestamp":
        node = ScalarNode(_TAG + tag, text, None, None)
        try:
            return _TIMESTAMPS.construct_yaml_timestamp(node)
        except (ValueError, ConstructorError) as exc:
            raise YamlRefused(line, f"'{_brief(text)}' is not a valid date: {exc}") from None
    if tag == "merge":
        raise YamlRefused(line, "merge keys (<<) are not allowed: write the keys out")
    raise YamlRefused(line, f"'{_brief(text)}' is read as a YAML {tag}: quote it")


def _check_key(key: Any, line: int) -> None:
    if isinstance(key, (YMap, YSeq)):
        raise YamlRefused(line, "a mapping key must be a plain value, not a list or mapping")
    if isinstance(key, str):
        bad = next((c for c in key if unicodedata.category(c) in _KEY_REFUSED), None)
        if bad is not None:
            raise YamlRefused(line, f"key holds {_char_name(bad)}")


def _first_unprintable(text: str) -> None:
    found = _UNPRINTABLE.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise YamlRefused(line, f"{_char_name(found.group())} is not allowed in a YAML file")


class _Builder:
    """Turns the event stream into YMap/YSeq/scalars, one event at a time."""

    def __init__(self) -> None:
        self.stack: list[YMap | YSeq] = []
        self.pending_key: list[tuple[Any, int] | None] = []  # per open mapping: a key awaiting its value
        self.nodes = 0
        self.root: Any = None
        self.done = False

    def _add(self, value: Any, line: int) -> None:
        if not self.stack:
            self.root, self.done = value, True
            return
        top = self.stack[-1]
        if isinstance(top, YSeq):
            top.append(value)
            top.lines.append(line)
            return
        key = self.pending_key[-1]
        if key is None:
            _check_key(value, line)
            if value in top.lines:
                raise YamlRefused(line, f"duplicate key '{value}' (first at line {top.lines[value]})")
            self.pending_key[-1] = (value, line)
        else:
            top[key[0]], top.lines[key[0]] = value, key[1]
            self.pending_key[-1] = None

    def feed(self, event: Event) -> None:
        line = _line(event)
        if isinstance(event, AliasEvent):
            raise YamlRefused(line, f"alias *{event.anchor} is not allowed: write the value out")
        if isinstance(event, (ScalarEvent, CollectionStartEvent)):
            if event.anchor is not None:
                raise YamlRefused(line, f"anchor &{event.anchor} is not allowed: write the value out")
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise YamlRefused(line, f"more than {MAX_NODES} values in one file")
        if isinstance(event, ScalarEvent):
            self._add(_scalar(event), line)
        elif isinstance(event, CollectionStartEvent):
            default = "map" if isinstance(event, MappingStartEvent) else "seq"
            if event.tag not in (None, "!", _TAG + default):
                raise YamlRefused(line, f"YAML tag {event.tag.replace(_TAG, '!!')} is not allowed")
            if len(self.stack) >= MAX_DEPTH:
                raise YamlRefused(line, f"nested more than {MAX_DEPTH} levels deep")
            node: YMap | YSeq
            if isinstance(event, MappingStartEvent):
                node = YMap()
                node.lines = {}
            else:
                node = YSeq()
                node.lines = []
            node.line = line
            self.stack.append(node)
            self.pending_key.append(None)
        elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            node = self.stack.pop()
            self.pending_key.pop()
            self._add(node, node.line)


def load(text: str) -> Any:
    """The data of a one-document YAML text, or YamlRefused; yaml.MarkedYAMLError for bad syntax."""
    _first_unprintable(text)
    builder = _Builder()
    for event in yaml.parse(text, Loader=_PARSER):
        if isinstance(event, DocumentStartEvent) and builder.done:
            raise YamlRefused(_line(event), "a second YAML document (---) in the file")
        builder.feed(event)
    return builder.root
