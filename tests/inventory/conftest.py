from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _state_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Backups written by a test go to its own folder."""
    monkeypatch.setenv("PROVDC_STATE", str(tmp_path / "state"))
