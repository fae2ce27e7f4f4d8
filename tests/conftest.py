"""Fixtures shared by every area's tests."""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from provdc.inventory import default_inventory_path

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def provdc_cli() -> Cli:
    """The real command line in a child process, as a user or a CI job runs it.

    Call as provdc_cli("inventory", "validate", env={...}, cwd=...).
    """

    def run(
        *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "provdc", *args],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            timeout=timeout,
            check=False,
        )

    return run


@pytest.fixture
def inventory_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped Hải Dương inventory."""
    dest = tmp_path / "inventory"
    shutil.copytree(default_inventory_path(), dest)
    return dest
