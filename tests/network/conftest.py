import sys
from pathlib import Path

import pytest

from provdc.inventory import Inventory, load_inventory
from provdc.inventory.targets import DeviceAccess, SnmpAccess, Target

REPLAY_USER = "netops"  # the login of the IOS and Junos replays' recorded sessions

# Helpers shared by this folder's tests (net_contract, net_replay), importable by name.
sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _state_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Backups and reports written by a test go to its own folder."""
    monkeypatch.setenv("PROVDC_STATE", str(tmp_path / "state"))


@pytest.fixture(scope="session")
def inventory() -> Inventory:
    return load_inventory()


@pytest.fixture
def replay_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Target:
    """The target of the IOS and Junos replays: env: references to test values, an empty known_hosts."""
    for name, value in (
        ("R_USER", REPLAY_USER),
        ("R_PASS", "pw"),
        ("R_AUTH", "auth-key-1"),
        ("R_PRIV", "priv-key-1"),
        ("PROVDC_TACACS_KEY", "tacacs-key-1"),
        ("PROVDC_BREAKGLASS_SECRET", "break-glass-1"),
    ):
        monkeypatch.setenv(name, value)
    known = tmp_path / "known_hosts"
    known.write_text("", encoding="utf-8")
    return Target(
        name="replay",
        devices=DeviceAccess(username_ref="env:R_USER", password_ref="env:R_PASS", known_hosts=str(known)),
        snmp=SnmpAccess(auth_key_ref="env:R_AUTH", priv_key_ref="env:R_PRIV"),
    )
