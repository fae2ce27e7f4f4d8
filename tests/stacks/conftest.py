"""Fixtures of the stack tests (helpers in stack_site.py, importable by name)."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from stack_site import StackSite, stack_site

from provdc.inventory import Inventory, load_inventory


@pytest.fixture(scope="session")
def inventory() -> Inventory:
    return load_inventory()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, inventory: Inventory) -> Iterator[StackSite]:
    """One vcsim and one stack state for a test module."""
    with stack_site(tmp_path_factory.mktemp("stack"), inventory) as s:
        yield s
