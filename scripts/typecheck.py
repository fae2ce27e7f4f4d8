#!/usr/bin/env python3
"""Runs mypy on the provdc package as it is imported.

pyproject.toml maps the user's top-level folders to `provdc.*` (package-dir); mypy cannot follow
that mapping, so this builds a tree of links under build/typecheck laid out as the import names
and checks that tree.
"""

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
sys.exit(
    subprocess.call(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(root / "pyproject.toml"),
            *sys.argv[1:],
            "provdc",
        ],
        cwd=tree,
    )
)
