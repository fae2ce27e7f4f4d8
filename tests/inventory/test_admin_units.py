"""Administrative units over time: the two-tier inventory's checks, and datasets held as input.

The two-tier inventory is written by hand here (a copy of the shipped one with a few sites moved
into 2025 units), so these tests do not depend on the planner.
"""

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from provdc.inventory import admin_data, default_inventory_path
from provdc.inventory.loader import check_inventory

UNITS = """admin_units:
  - {code: "30", name: "Hải Dương", type: tinh, level: province, valid_to: 2025-06-30}
  - {code: "31", name: "Hải Phòng", type: thanh-pho, level: province, valid_from: 2025-07-01}
  - {code: "288", name: "Hải Dương", type: thanh-pho, level: district, parent: "30", valid_to: 2025-06-30}
  - {code: "10507", name: "Cẩm Thượng", type: phuong, level: commune, parent: "288", valid_to: 2025-06-30}
  - {code: "10510", name: "Bình Hàn", type: phuong, level: commune, parent: "288", valid_to: 2025-06-30}
  - {code: "10510", name: "Thành Đông", type: phuong, level: commune, parent: "31", valid_from: 2025-07-01}
"""
SITE = """  - code: "{code}"
    name: "{name}"
    hub: "288"
    circuit_id: VNPT-HDG-C{code}
    admin:
      - {{unit: "{code}", valid_to: 2025-06-30}}
      - {{unit: "10510", role: {role}, valid_from: 2025-07-01}}
"""


def _two_tier(tmp_path: Path, roles: tuple[str, str] = ("service-point", "seat"), units: str = UNITS) -> Path:
    root = tmp_path / "inv"
    shutil.copytree(default_inventory_path(), root)
    communes = (root / "communes.yml").read_text("utf-8")
    head, _, rest = communes.partition('  - code: "10513"')
    sites = SITE.format(code="10507", name="Thành Đông - Cẩm Thượng", role=roles[0])
    sites += SITE.format(code="10510", name="Thành Đông", role=roles[1])
    (root / "communes.yml").write_text("communes:\n" + sites + '  - code: "10513"' + rest, "utf-8")
    assert head.count("- code:") == 2  # the two sites replaced
    # The other communes stay in the legacy form (no admin list): they load as they did.
    (root / "admin_units.yml").write_text(units, "utf-8")
    return root


def _codes(root: Path) -> list[tuple[str, str]]:
    return [(Path(p.file).name, p.code) for p in check_inventory(root).problems]


def test_a_two_tier_site_belongs_to_its_units_over_time(tmp_path: Path) -> None:
    root = _two_tier(tmp_path)
    result = check_inventory(root)
    assert result.ok, result.problems[:3]
    inv = result.inventory
    assert inv is not None
    site = inv.sites["com-10507"]
    assert site.unit is not None and (site.unit.code, site.unit.name) == ("10510", "Thành Đông")
    assert site.membership is not None and site.membership.role == "service-point"
    before = site.membership_on(date(2025, 6, 30))
    assert before is not None and before.unit.name == "Cẩm Thượng"
    assert site.district == "288" and site.parent == "dist-288" and site.type == "phuong"
    seat = [s.id for s in inv.sites_in(site.unit)]
    assert seat == ["com-10510", "com-10507"]  # the seat first


def test_two_seats_of_one_unit_are_refused(tmp_path: Path) -> None:
    assert ("communes.yml", "duplicate-seat") in _codes(_two_tier(tmp_path, roles=("seat", "seat")))


def test_a_code_over_overlapping_periods_is_refused(tmp_path: Path) -> None:
    units = UNITS.replace('parent: "31", valid_from: 2025-07-01}', 'parent: "31", valid_from: 2025-06-01}')
    codes = _codes(_two_tier(tmp_path, units=units))
    assert ("admin_units.yml", "duplicate-unit") in codes


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("valid_from: 2025-07-01}", 'valid_from: "2025-07-01"}'),  # a date, not a string
        ("valid_from: 2025-07-01}", "valid_from: 2025-07-01T00:00:00}"),  # a day, not a time
        ('name: "Thành Đông", type', 'name: "Thành\\u202eĐông", type'),
    ],
)
def test_hostile_units_are_refused_at_their_line(tmp_path: Path, old: str, new: str) -> None:
    codes = _codes(_two_tier(tmp_path, units=UNITS.replace(old, new, 1)))
    assert ("admin_units.yml", "invalid") in codes


def test_a_tampered_dataset_is_refused_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = admin_data._data_file

    def tampered(dist: str, version: str, relative: str) -> Path:
        path = real(dist, version, relative)
        if not relative.endswith("nested-divisions.json"):
            return path
        data = json.loads(path.read_text("utf-8"))
        hai_phong = next(p for p in data if p["code"] == 31)
        hai_phong["wards"][0]["name"] = "Phường A\u200bB"  # a zero-width space in a name
        out = tmp_path / "nested.json"
        out.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        return out

    monkeypatch.setattr(admin_data, "_data_file", tampered)
    with pytest.raises(admin_data.DatasetError) as refused:
        admin_data.load("30")
    assert "\n" not in str(refused.value) and "ZERO WIDTH SPACE" in str(refused.value)
