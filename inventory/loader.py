"""Loading an inventory in named phases: parse → sections → model → checks.

Every phase reports all it finds; later phases run only on what earlier ones could read.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from provdc.core.errors import ProvdcError
from provdc.inventory.build import build_inventory
from provdc.inventory.checks import run_checks
from provdc.inventory.model import Inventory
from provdc.inventory.sections import LIST_SECTIONS, read_sections
from provdc.inventory.source import Document, Problem, read_document, scan_inventory

ENV_INVENTORY = "PROVDC_INVENTORY"
MAX_PROBLEMS = 200  # a report longer than this is not read; the rest is counted


def default_inventory_path() -> Path:
    """$PROVDC_INVENTORY, or the Hải Dương inventory shipped with provdc."""
    env = os.environ.get(ENV_INVENTORY)
    return Path(env) if env else Path(str(files("provdc.inventory") / "haiduong"))


@dataclass
class LoadResult:
    path: Path
    inventory: Inventory | None
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.inventory is not None and not self.problems


class InventoryError(ProvdcError):
    """The inventory has problems; the message is the first, all are in `problems`."""

    def __init__(self, problems: list[Problem]) -> None:
        more = (
            f" (and {len(problems) - 1} more; run 'provdc inventory validate')" if len(problems) > 1 else ""
        )
        super().__init__(f"{problems[0]}{more}")
        self.problems = problems


def _shown(path: Path, root: Path) -> str:
    """A path as the user should see it: relative to the working directory when it can be."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))  # a link is shown as itself
    except ValueError:
        return str(path)


def check_inventory(path: Path | None = None, stand_ins: Mapping[Path, Path] | None = None) -> LoadResult:
    """Load and validate, returning every problem instead of raising.

    `stand_ins` reads some files from elsewhere under their own names: add-site checks the file it
    is about to write this way, in memory, before it touches the real one.
    """
    root = path or default_inventory_path()
    try:
        root.stat()
    except FileNotFoundError:
        return LoadResult(root, None, [Problem(str(root), 0, "not-found", "no such file or folder")])
    except OSError as exc:
        return LoadResult(root, None, [Problem(str(root), 0, "unreadable", f"cannot read: {exc.strerror}")])
    scan = scan_inventory(root)
    problems = [Problem(_shown(p, root), 0, code, msg) for p, code, msg in scan.problems]
    paths = scan.paths
    if not paths:
        problems.append(Problem(str(root), 0, "empty", "no .yml files in this folder"))
        return LoadResult(root, None, problems)
    docs: list[Document] = []
    for p in paths:
        read = read_document((stand_ins or {}).get(p, p), _shown(p, root))
        (problems.append if isinstance(read, Problem) else docs.append)(read)  # type: ignore[arg-type]
    sections = read_sections(docs)
    problems += sections.problems
    if not problems and root.is_dir():  # a renamed or deleted file is not "no communes"
        seen = {key for doc in docs for key in doc.data}
        problems += [
            Problem(
                str(root), 0, "missing-section", f"section '{name}' is not in any file (write {name}: [])"
            )
            for name in LIST_SECTIONS
            if name not in seen
        ]
    inv, build_problems = build_inventory(sections, _shown(root, root))
    problems += build_problems
    if inv is not None and not problems:
        problems += run_checks(inv)
    return LoadResult(
        root, inv if not problems else None, _capped(problems, str(root)), [d.path for d in docs]
    )


def _capped(problems: list[Problem], root: str) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], Problem(root, 0, "too-many", f"… and {more} more problem(s)")]


def load_inventory(path: Path | str | None = None) -> Inventory:
    """The validated model, or InventoryError naming the first problem (file:line)."""
    result = check_inventory(Path(path) if path is not None else None)
    if result.problems or result.inventory is None:
        raise InventoryError(result.problems)
    return result.inventory
