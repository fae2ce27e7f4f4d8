"""The package's import graph, read from the source with `ast` (every import, function-local too).

Where each folder lives in the package comes from pyproject.toml's `package-dir`, not from provdc.
"""

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AREAS = ("inventory", "network", "monitoring", "stacks", "hosts", "lab", "core")
CLI_ONLY = ("provdc.commands", "provdc.app", "provdc.output")
NO_LAB = ("network", "monitoring", "hosts")


def _modules() -> dict[str, Path]:
    """Dotted module name → source file, for every module of the package."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_dir: dict[str, str] = config["tool"]["setuptools"]["package-dir"]
    found: dict[str, Path] = {}
    for package in config["tool"]["setuptools"]["packages"]:
        base = package_dir.get(package)
        if base is None:  # a sub-package of a mapped one: provdc.network.drivers
            parent, _, leaf = package.rpartition(".")
            base = f"{package_dir[parent]}/{leaf}"
        folder = ROOT / base
        for path in folder.glob("*.py"):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[str]:
    """Every provdc module `name` imports, absolute or relative, at any depth of the file."""
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] == "provdc")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module.split(".")[0] != "provdc":
                continue
            yield module
            yield from (f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in MODULES)


def _area(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in AREAS else None


def _edges() -> list[tuple[str, str]]:
    return [(name, imported) for name, path in MODULES.items() for imported in _imports(name, path)]


def test_the_package_is_found() -> None:
    expected = {"provdc.app", "provdc.core.errors", "provdc.inventory.targets", "provdc.lab.status"}
    assert expected <= set(MODULES)
    assert {_area(m) for m in MODULES} == {*AREAS, None}  # None: the CLI


def test_nothing_outside_the_cli_imports_the_cli() -> None:
    bad = [
        f"{name} imports {imported}"
        for name, imported in _edges()
        if _area(name) is not None and imported.startswith(CLI_ONLY)
    ]
    assert bad == []


def test_core_imports_no_area() -> None:
    bad = [f"{n} imports {i}" for n, i in _edges() if _area(n) == "core" and _area(i) != "core"]
    assert bad == []


@pytest.mark.parametrize("area", NO_LAB)
def test_consumers_do_not_import_the_lab(area: str) -> None:
    assert [f"{n} imports {i}" for n, i in _edges() if _area(n) == area and _area(i) == "lab"] == []


def test_no_cycle_between_areas() -> None:
    graph: dict[str, set[str]] = {a: set() for a in AREAS}
    for name, imported in _edges():
        source, dest = _area(name), _area(imported)
        if source and dest and source != dest:
            graph[source].add(dest)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(nxt == goal or reaches(nxt, goal, seen | {nxt}) for nxt in graph[start] - seen)

    cycles = sorted(f"{a} -> {b} -> … -> {a}" for a in AREAS for b in graph[a] if reaches(b, a, {b}))
    assert cycles == []
