"""Adding a site to the inventory files, safely when several people or jobs do it at once.

Under an exclusive lock on the inventory folder the files are read again, one site block is
appended to the list that holds the section (in the file's own indentation and quoting; every
other line stays byte for byte), and the whole inventory is validated in memory with that text
in place of the file. Only then is the old file backed up (a unique folder per run) and the new
one written atomically, through a symlink to its target, with the file's mode kept. The site's
addresses follow from its code (ipam.py): no other site moves.
"""

import contextlib
import fcntl
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from provdc.core.errors import ProvdcError
from provdc.core.files import write_file
from provdc.inventory.loader import LoadResult, check_inventory
from provdc.inventory.model import Site
from provdc.inventory.naming import site_id
from provdc.inventory.source import inventory_files
from provdc.inventory.targets import state_dir

SECTION = {"commune": "communes", "district": "districts", "agency": "agencies"}
LOCK_WAIT_S = 60.0  # another add-site validates in about a second; this only guards a stuck one
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
_ESCAPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """An exclusive flock on the inventory folder itself: nothing is created in the user's tree."""
    try:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise ProvdcError(f"add-site: {root}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ProvdcError(
                        f"add-site: another add-site has held {root} for {LOCK_WAIT_S:.0f} s; try again"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@dataclass(frozen=True)
class _Block:
    """Where a list section sits in a file's lines, and how its items are written."""

    insert_at: int  # index of the line the new item goes before
    dash: int  # column of an item's "- "
    key: int  # column of an item's keys
    quoting: dict[str, str]  # key → '"', "'" or "" as the last item writes it


def _section_file(root: Path, section: str) -> Path:
    header = re.compile(rf"^{re.escape(section)}\s*:", re.MULTILINE)
    for path in inventory_files(root):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the validation below names it
        if header.search(text):
            return path
    raise ProvdcError(f"add-site: no file under {root} holds a '{section}:' section")


def _quoting(value_text: str) -> str:
    value_text = value_text.strip()
    return value_text[0] if value_text[:1] in ('"', "'") else ""


def _find_block(lines: list[str], section: str, shown: str) -> _Block:
    """The last item of the section's block list and the line after it."""
    start = next(i for i, ln in enumerate(lines) if re.match(rf"{re.escape(section)}\s*:", ln))
    rest = lines[start][len(section) :].split(":", 1)[1].strip()
    if rest and not rest.startswith("#"):
        raise ProvdcError(
            f"add-site: {shown}:{start + 1}: '{section}' is not a block list (one '- ' item a line); "
            "add the first site by hand"
        )
    end = start + 1
    last_content = start
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line.startswith((" ", "\t", "#", "-")):
            break  # the next top-level key
        if line.strip() and not line.lstrip().startswith("#"):
            last_content = end
        end += 1
    items = [i for i in range(start + 1, last_content + 1) if lines[i].lstrip().startswith("- ")]
    if not items:
        raise ProvdcError(
            f"add-site: {shown}:{start + 1}: '{section}' has no item to follow; add one by hand"
        )
    dash = min(len(lines[i]) - len(lines[i].lstrip()) for i in items)
    last = max(i for i in items if len(lines[i]) - len(lines[i].lstrip()) == dash)
    quoting: dict[str, str] = {}
    key_col = dash + 2
    first = re.match(r"(\s*-\s+)([A-Za-z_]+)\s*:(.*)", lines[last])
    if first:
        key_col = len(first.group(1))
        quoting[first.group(2)] = _quoting(first.group(3))
    for line in lines[last + 1 : last_content + 1]:
        m = re.match(r"(\s*)([A-Za-z_]+)\s*:(.*)", line)
        if m and len(m.group(1)) == key_col:
            quoting[m.group(2)] = _quoting(m.group(3))
    return _Block(last_content + 1, dash, key_col, quoting)


def _double_quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif unicodedata.category(ch) in _ESCAPED_CATEGORIES or ch in "\x85\ufeff":
            code = ord(ch)
            out.append(
                f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
            )
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _scalar(value: Any, quoting: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if quoting == "" and _PLAIN.fullmatch(text) and text.lower() not in _YAML11_WORDS:
        return text
    safe = all(unicodedata.category(ch) not in _ESCAPED_CATEGORIES for ch in text)
    if quoting == "'" and safe:
        return "'" + text.replace("'", "''") + "'"
    return _double_quoted(text)


def _entry_lines(fields: dict[str, Any], block: _Block, newline: str) -> list[str]:
    order = [k for k in block.quoting if k in fields] + [k for k in fields if k not in block.quoting]
    out = []
    for n, key in enumerate(order):
        lead = " " * block.dash + "- " + " " * (block.key - block.dash - 2) if n == 0 else " " * block.key
        value = _scalar(fields[key], block.quoting.get(key, '"'))
        out.append(f"{lead}{key}: {value}{newline}")
    return out


def appended(text: str, section: str, fields: dict[str, Any], shown: str) -> tuple[str, int]:
    """The file's text with one item appended to `section`, and the 1-based line where it starts."""
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    block = _find_block(lines, section, shown)
    entry = _entry_lines(fields, block, newline)
    if block.insert_at > 0 and not lines[block.insert_at - 1].endswith("\n"):
        lines[block.insert_at - 1] += newline  # the file ended without a line break
    parsed = yaml.safe_load("".join(line[block.dash :] for line in entry))
    if parsed != [fields]:  # the text must say exactly what was asked, whatever the characters
        raise ProvdcError(f"add-site: {shown}: the new entry would not read back as given; not written")
    new = lines[: block.insert_at] + entry + lines[block.insert_at :]
    return "".join(new), block.insert_at + 1


def _check_with(root: Path, path: Path, text: str) -> LoadResult:
    """Validate the inventory as it would be, the file's new text held in memory only."""
    fd = os.memfd_create("provdc-add-site", os.MFD_CLOEXEC)
    try:
        data = text.encode("utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        return check_inventory(root, {path: Path(f"/proc/self/fd/{fd}")})
    finally:
        os.close(fd)


def _refusal(result: LoadResult, shown: str, first_new: int) -> ProvdcError:
    first = result.problems[0]
    where = " (the new entry)" if first.file == shown and first.line >= first_new else ""
    more = f" (and {len(result.problems) - 1} more)" if len(result.problems) > 1 else ""
    return ProvdcError(f"add-site: the inventory would not be valid: {first}{where}{more}")


def _backup(path: Path, original: bytes, mode: int) -> Path:
    """The file as it was, in a folder of its own: two runs in one second never share one."""
    folder = state_dir() / "backups" / "inventory"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        unique = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%dT%H%M%S-"), dir=folder))
    except OSError as exc:
        raise ProvdcError(f"add-site: cannot make a backup under {folder}: {exc.strerror}") from None
    return write_file(unique / path.name, original, mode)


def _as_loader_names(path: Path) -> str:
    """The file's name as the loader prints it: relative to the working directory when it can be."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def add_site(root: Path, kind: str, fields: dict[str, Any]) -> tuple[Site, Path, Path]:
    """Append a site; returns the new site, the file written and its backup."""
    if kind not in SECTION:
        raise ProvdcError(f"add-site: kind must be one of {', '.join(SECTION)}")
    if not root.is_dir():
        raise ProvdcError(f"add-site: {root} is not an inventory folder")
    fields = {
        k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v
        for k, v in fields.items()
        if v is not None
    }
    section = SECTION[kind]
    with _locked(root):
        path = _section_file(root, section)
        shown = _as_loader_names(path)
        try:
            before = os.stat(path)
            original = path.read_bytes()
            text = original.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProvdcError(f"add-site: cannot read {path}: {exc}") from None
        new_text, first_new = appended(text, section, fields, shown)
        result = _check_with(root, path, new_text)
        if not result.ok or result.inventory is None:
            raise _refusal(result, shown, first_new)
        site = result.inventory.sites[site_id(kind, str(fields["code"]))]
        backup = _backup(path, original, before.st_mode & 0o7777)
        now = os.stat(path)
        if (now.st_ino, now.st_mtime_ns, now.st_size) != (before.st_ino, before.st_mtime_ns, before.st_size):
            raise ProvdcError(f"add-site: {path} changed while the site was being added; run it again")
        write_file(path, new_text)
    return site, path, backup
