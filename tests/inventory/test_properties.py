"""Property-based tests: the plan never gives two sites the same address, the loader never crashes."""

import itertools
from ipaddress import IPv4Network
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provdc.inventory import check_inventory, ipam, load_inventory

PLAN = load_inventory()  # the shipped plan
PLAN_IPAM = PLAN.ipam

commune_codes = st.integers(
    min_value=ipam.COMMUNE_CODE_BASE,
    max_value=ipam.COMMUNE_CODE_BASE + ipam.SLOTS - ipam.SLOT_BASE["commune"] - 1,
)
district_codes = st.integers(min_value=ipam.DISTRICT_CODE_BASE, max_value=ipam.DISTRICT_CODE_BASE + 31)
agency_numbers = st.integers(min_value=1, max_value=31)


def _site_networks(kind: ipam.WanSiteKind, code: int) -> list[IPv4Network]:
    number = code if kind == "agency" else None
    slot = ipam.slot(kind, str(code), number)
    nets = [ipam.wan_network(PLAN_IPAM, slot), IPv4Network(ipam.loopback(PLAN_IPAM, slot))]
    nets += [n for _, _, n in ipam.site_lans(PLAN_IPAM, kind, str(code), number, camera=True)]
    return nets


@settings(max_examples=200, deadline=None)
@given(
    communes=st.sets(commune_codes, min_size=2, max_size=60),
    districts=st.sets(district_codes, max_size=13),
    agencies=st.sets(agency_numbers, max_size=20),
)
def test_no_two_sites_share_an_address(communes: set[int], districts: set[int], agencies: set[int]) -> None:
    owned: list[tuple[IPv4Network, tuple[str, int]]] = []
    kinds: tuple[tuple[ipam.WanSiteKind, set[int]], ...] = (
        ("commune", communes),
        ("district", districts),
        ("agency", agencies),
    )
    for kind, codes in kinds:
        for code in codes:
            owned += [(net, (kind, code)) for net in _site_networks(kind, code)]
    owned.sort(key=lambda x: (int(x[0].network_address), x[0].prefixlen))
    for (a, owner_a), (b, owner_b) in itertools.pairwise(owned):
        if owner_a != owner_b:
            assert not a.overlaps(b), f"{owner_a} {a} overlaps {owner_b} {b}"


@settings(max_examples=100, deadline=None)
@given(existing=st.sets(commune_codes, min_size=1, max_size=30), new=commune_codes)
def test_adding_a_commune_moves_no_other(existing: set[int], new: int) -> None:
    before = {c: _site_networks("commune", c) for c in existing}
    after = {c: _site_networks("commune", c) for c in existing | {new}}
    assert all(after[c] == before[c] for c in existing)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=400), st.text(max_size=400)))
def test_loader_never_raises_on_garbage(content: bytes | str, tmp_path: Path) -> None:
    path = tmp_path / "inventory.yml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    result = check_inventory(path)
    assert not result.ok
    assert result.problems and all(p.file and p.code for p in result.problems)


section_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    section=st.sampled_from(["communes", "districts", "ipam", "vsphere", "workloads", "services", "other"]),
    value=section_values,
)
def test_loader_reports_wrong_shapes_without_raising(section: str, value: object, tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({section: value}, allow_unicode=True), encoding="utf-8")
    result = check_inventory(path)
    assert not result.ok and result.problems
