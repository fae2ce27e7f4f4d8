import sys
from pathlib import Path

import pytest

from provdc.inventory import Inventory, load_inventory

# Helpers shared by this folder's tests (net_contract, net_replay), importable by name.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _state_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Backups and reports written by a test go to its own folder."""
    monkeypatch.setenv("PROVDC_STATE", str(tmp_path / "state"))


@pytest.fixture(scope="session")
def inventory() -> Inventory:
    return load_inventory()
