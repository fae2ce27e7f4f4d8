"""How commands print: rich tables on a terminal, plain text when piped, JSON for scripts.

Every cell may hold inventory text, so it is printed as text: rich markup in it is escaped
(no `[link=…]` hyperlink, no style), and control characters are shown as escapes.
"""

import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from provdc.core.text import printable


class Format(StrEnum):
    table = "table"
    json = "json"


def is_terminal() -> bool:
    return sys.stdout.isatty()


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8 kept as is (Vietnamese names stay readable)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def cell(value: Any) -> str:
    """A value as rich shows it literally: one line, no markup."""
    return escape(printable(str(value)))


def rich_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """A rich table whose title, headers and cells are all shown literally."""
    table = Table(title=cell(title) if title else None)
    for col in columns:
        table.add_column(cell(col))
    for row in rows:
        table.add_row(*(cell(c) for c in row))
    return table


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A rich table on a terminal; tab-separated lines with a header when piped."""
    if is_terminal():
        Console().print(rich_table(title, columns, rows))
    else:
        sys.stdout.write("\t".join(columns) + "\n")
        for row in rows:
            sys.stdout.write("\t".join(printable(str(c)) for c in row) + "\n")
