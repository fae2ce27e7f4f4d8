"""Helpers of the stack tests: vcsim shaped like the inventory, a target pointing at it.

The target is a generated file in a temporary PROVDC_STATE, its secrets references to
environment variables that only the child `provdc` processes get.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provdc.inventory import Inventory
from provdc.stacks import vcsim, vsphere
from provdc.stacks.vcsim import Vcsim

USER, PASSWORD, PASSPHRASE = "provdc-admin", "vcsim-test-password", "stack-test-passphrase"


@dataclass
class StackSite:
    """One state dir and the target `name` in it, pointing at `sim` (None: at nothing)."""

    state: Path
    name: str
    env: dict[str, str] = field(default_factory=dict)
    sim: Vcsim | None = None

    def cli(
        self, *args: str, inventory: Path | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        extra = ["--inventory", str(inventory)] if inventory else []
        return subprocess.run(
            [sys.executable, "-m", "provdc", "stack", *args, "--target", self.name, *extra],
            capture_output=True,
            text=True,
            env={**os.environ, **self.env},
            timeout=timeout,
            check=False,
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        """`provdc stack ARGS` in its own process group (so a test can kill it with its engine)."""
        return subprocess.Popen(
            [sys.executable, "-m", "provdc", "stack", *args, "--target", self.name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **self.env},
            start_new_session=True,
        )

    def json(self, *args: str, inventory: Path | None = None) -> Any:
        done = self.cli(*args, "--format", "json", inventory=inventory)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    @contextmanager
    def vcenter(self) -> Iterator[Any]:
        """pyvmomi, for reading back independently of the stack's outputs."""
        assert self.sim is not None
        with vsphere.connect(self.sim.access()) as si:
            yield si


def write_target(state: Path, name: str, url: str, capacity: str = "inventory", backend: str = "") -> None:
    (state / "targets").mkdir(parents=True, exist_ok=True)
    (state / "targets" / f"{name}.yml").write_text(
        f"""name: {name}
description: vcsim for the stack tests
vcenter:
  url: {url}
  username_ref: env:PROVDC_TEST_VC_USER
  password_ref: env:PROVDC_TEST_VC_PASSWORD
  insecure: true
  capacity_source: {capacity}
devices:
  username_ref: env:PROVDC_TEST_VC_USER
snmp:
  auth_key_ref: env:PROVDC_TEST_VC_PASSWORD
  priv_key_ref: env:PROVDC_TEST_VC_PASSWORD
state:
  url: "{backend}"
  passphrase_ref: env:PROVDC_TEST_PASSPHRASE
""",
        encoding="utf-8",
    )


def site_env(state: Path) -> dict[str, str]:
    return {
        "PROVDC_STATE": str(state),
        "PROVDC_TEST_VC_USER": USER,
        "PROVDC_TEST_VC_PASSWORD": PASSWORD,
        "PROVDC_TEST_PASSPHRASE": PASSPHRASE,
    }


@contextmanager
def stack_site(root: Path, inventory: Inventory, name: str = "vcsim", **start: Any) -> Iterator[StackSite]:
    """vcsim with the given login (and vcsim flags), and a target for it."""
    sim = vcsim.start(inventory.vsphere, root / "vcsim", username=USER, password=PASSWORD, **start)
    state = root / "state"
    write_target(state, name, sim.url)
    try:
        yield StackSite(state, name, site_env(state), sim)
    finally:
        sim.stop()
