#!/usr/bin/env python3
"""Runs mypy (strict, from pyproject.toml) on the provdc package as it is imported, then on tests/ and bench/.

pyproject.toml maps the user's top-level folders to `provdc.*` (package-dir); mypy cannot follow
that mapping, so this builds a tree of links under build/typecheck laid out as the import names
and checks that tree. Each test area keeps its helpers beside its tests (imported by bare name, as
pytest's importlib mode allows) and has its own conftest.py, so each area is checked in a run of its own.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

root = Path(__file__).resolve().parent.parent
tree = root / "build" / "typecheck"
config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
shutil.rmtree(tree, ignore_errors=True)
folders = {package: root / folder for package, folder in config["package-dir"].items()}
for package, folder in folders.items():
    nested = [f for f in folders.values() if f != folder and f.is_relative_to(folder)]
    for source in folder.rglob("*.py"):
        if any(source.is_relative_to(n) for n in nested):
            continue
        link = tree.joinpath(*package.split("."), source.relative_to(folder))
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(source)


def mypy(targets: list[str], cwd: Path, paths: list[Path]) -> int:
    env = {**os.environ, "MYPYPATH": os.pathsep.join(str(p) for p in [tree, *paths])}
    command = [sys.executable, "-m", "mypy", "--config-file", str(root / "pyproject.toml"), *targets]
    return subprocess.call(command, cwd=cwd, env=env)


def _helper_path(area: Path) -> list[Path]:
    """An area whose conftest puts its folder on sys.path imports helpers by bare name, others relatively."""
    conftest = area / "conftest.py"
    return [area] if conftest.is_file() and "sys.path.insert" in conftest.read_text() else []


tests = root / "tests"
areas = [area for area in sorted(tests.iterdir()) if area.is_dir() and area.name[0] not in "_."]
runs: list[tuple[list[str], Path, list[Path]]] = [
    (["provdc"], tree, []),
    ([str(p) for p in [tests / "conftest.py", *sorted(tests.glob("test_*.py"))]], root, []),
    *(([str(area)], root, _helper_path(area)) for area in areas),
    (["bench"], root, [root / "bench", tests / "monitoring", tests / "stacks"]),
]
failed = [Path(targets[0]).name for targets, cwd, paths in runs if mypy(targets, cwd, paths)]
if failed:
    print(f"typecheck: mypy found errors in: {', '.join(failed)}", file=sys.stderr)
sys.exit(1 if failed else 0)
