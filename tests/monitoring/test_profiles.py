"""Profiles are data: every file loads, OIDs are numeric, every inventory profile exists."""

from __future__ import annotations

import pytest

from provdc.core.errors import ProvdcError
from provdc.inventory import load_inventory
from provdc.monitoring import profiles
from provdc.monitoring.profiles import profile, profile_for, profile_names


@pytest.mark.parametrize("name", ["standard", *profile_names()])
def test_every_profile_loads_with_numeric_oids(name: str) -> None:
    groups = profile(name).groups
    assert [g.name for g in groups[:2]] == ["system", "interfaces"]
    oids = [c.oid for g in groups for c in g.columns.values()]
    assert all(o.startswith("1.3.6.1.") for o in oids)
    scalars = [c.oid for g in groups if not g.table for c in g.columns.values()]
    assert all(o.endswith(".0") for o in scalars)


def test_every_inventory_device_profile_exists() -> None:
    named = {d.snmp_profile for d in load_inventory().devices() if d.snmp_profile}
    assert named and named <= set(profile_names())


@pytest.mark.parametrize(
    ("oid", "name"),
    [
        ("1.3.6.1.4.1.9.1.617", "cisco"),
        ("1.3.6.1.4.1.2636.1.1.1.2.21", "juniper"),
        ("1.3.6.1.4.1.8072.3.2.10", "net-snmp"),
        ("1.3.6.1.4.1.318.1.3.4.6", "apc-pdu"),
        ("1.3.6.1.4.1.318.1.3.2.12", "apc-ups"),
        ("1.3.6.1.4.1.11.5.7.1.2", "hp-oa"),
        ("1.3.6.1.4.1.11.5.7.1.20", "default"),  # a prefix matches whole arcs only
        ("1.3.6.1.4.1.99999.1", "default"),
    ],
)
def test_profile_by_sys_object_id(oid: str, name: str) -> None:
    assert profile_for(oid) == name


def test_unknown_profile_is_one_clear_error() -> None:
    with pytest.raises(ProvdcError, match="no SNMP profile 'nope'"):
        profile("nope")


def test_a_broken_profile_file_names_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        profiles,
        "_read",
        lambda name: {"mib": "X", "groups": [{"name": "g", "table": True, "columns": {"a": "not-an-oid"}}]},
    )
    profiles.load_mib.cache_clear()
    try:
        with pytest.raises(ProvdcError, match=r"mibs/broken.yml: groups.0.columns.a.oid"):
            profiles.load_mib("broken")
    finally:
        profiles.load_mib.cache_clear()
