"""Fixtures shared by every area's tests."""

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from provdc.inventory import default_inventory_path
from provdc.lab.status import LabStatus

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


LAB_LOCK = Path("/run/provdc-lab-session.lock")


@pytest.fixture(scope="session")
def lab() -> Iterator[LabStatus]:
    """The lab, for tests marked `@pytest.mark.lab`: its status (nodes, `target` file of target "lab").

    Holds an exclusive lock on /run/provdc-lab-session.lock for the whole session, so pytest
    sessions queue. A lab that is already up and healthy is reused and left up; otherwise one of
    scale $PROVDC_LAB_SCALE (default small) is brought up and taken down at the end.
    """
    if os.geteuid() != 0:
        pytest.skip("the lab needs root (network namespaces, veth pairs, mounts)")
    from provdc.lab import lifecycle
    from provdc.lab.status import lab_status

    with LAB_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        status = lab_status()
        wanted = os.environ.get("PROVDC_LAB_SCALE")
        reuse = status.up and (wanted is None or wanted == status.scale)
        if not reuse:
            lifecycle.up(wanted or "small")  # type: ignore[arg-type]
            status = lab_status()
        try:
            yield status
        finally:
            if not reuse:
                lifecycle.down()
