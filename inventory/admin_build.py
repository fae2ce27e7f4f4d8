"""Administrative units and the sites' memberships, built beside the sites (phase 3 of loading).

An inventory written before the two-tier reorganisation has no `admin_units` section: its province,
districts and communes *are* the units, and each commune site is the seat of its own commune. An
inventory that has the section says every unit with its validity, and each site lists the units it
belonged to (`admin`); a unit is found by its code over the membership's period.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from provdc.inventory.model import AdminUnit, Located, Membership
from provdc.inventory.schema import AdminUnitIn, CommuneIn, DistrictIn, MembershipIn, ProvinceIn
from provdc.inventory.sections import Entry

Report = Callable[[Located, str, str], None]
_EARLIEST, _LATEST = date.min, date.max


def _span(start: date | None, end: date | None) -> tuple[date, date]:
    return (start or _EARLIEST, end or _LATEST)


def _overlap(a: tuple[date, date], b: tuple[date, date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def period_text(start: date | None, end: date | None) -> str:
    return f"{start or '…'}..{end or '…'}"


@dataclass
class UnitIndex:
    """Every unit by code; a code may name several units at different times."""

    units: list[AdminUnit]

    def find(self, code: str, start: date | None, end: date | None) -> list[AdminUnit]:
        span = _span(start, end)
        return [u for u in self.units if u.code == code and _overlap(span, _span(u.valid_from, u.valid_to))]


def legacy_units(
    province: ProvinceIn, districts: Iterable[DistrictIn], communes: Iterable[CommuneIn]
) -> list[AdminUnit]:
    """The units an inventory without an `admin_units` section implies: its own sites' units."""
    units = [AdminUnit(province.code, province.name, province.type, "province", None)]
    units += [
        AdminUnit(d.code, d.name, d.type, "district", province.code) for d in districts if d.type != "hub"
    ]
    units += [
        AdminUnit(c.code, c.name, c.type, "commune", c.district)
        for c in communes
        if not c.admin and c.type is not None and c.district is not None
    ]
    return units


def explicit_units(entries: list[Entry[AdminUnitIn]], report: Report) -> list[AdminUnit]:
    """The `admin_units` section as units; a code given twice over overlapping periods is refused."""
    units: list[tuple[AdminUnit, Located]] = []
    for e in entries:
        u = e.value
        unit = AdminUnit(u.code, u.name, u.type, u.level, u.parent, u.valid_from, u.valid_to)
        clash = next(
            (
                (other, src)
                for other, src in units
                if other.code == unit.code
                and _overlap(_span(other.valid_from, other.valid_to), _span(unit.valid_from, unit.valid_to))
            ),
            None,
        )
        if clash is not None:
            report(
                e.src,
                "duplicate-unit",
                f"unit {unit.code} ({unit.name}) over {period_text(unit.valid_from, unit.valid_to)} "
                f"overlaps unit {unit.code} ({clash[0].name}) at {clash[1]}",
            )
            continue
        units.append((unit, e.src))
    index = UnitIndex([u for u, _ in units])
    for unit, src in units:
        if unit.parent is None:
            continue
        parents = index.find(unit.parent, unit.valid_from, unit.valid_to)
        if not parents:
            report(
                src,
                "reference",
                f"unit {unit.code} ({unit.name}): no parent unit {unit.parent} valid over "
                f"{period_text(unit.valid_from, unit.valid_to)}",
            )
    return index.units


def memberships(
    site_id: str,
    given: list[MembershipIn],
    index: UnitIndex,
    src: Located,
    report: Report,
) -> tuple[Membership, ...]:
    """A site's `admin` list resolved to units; periods of one site may not overlap."""
    out: list[Membership] = []
    for m in given:
        found = index.find(m.unit, m.valid_from, m.valid_to)
        period = period_text(m.valid_from, m.valid_to)
        if len(found) != 1:
            what = "no unit" if not found else f"{len(found)} units"
            report(src, "reference", f"site {site_id}: {what} {m.unit} valid over {period}")
            continue
        unit = found[0]
        mine = _span(m.valid_from, m.valid_to)
        if not (
            _span(unit.valid_from, unit.valid_to)[0] <= mine[0]
            and mine[1] <= _span(unit.valid_from, unit.valid_to)[1]
        ):
            report(
                src,
                "reference",
                f"site {site_id}: membership of {unit.code} over {period} is outside the unit's "
                f"validity {period_text(unit.valid_from, unit.valid_to)}",
            )
            continue
        before = next((o for o in out if _overlap(_span(o.valid_from, o.valid_to), mine)), None)
        if before is not None:
            report(
                src,
                "overlap",
                f"site {site_id}: memberships of {before.unit.code} and {unit.code} overlap ({period})",
            )
            continue
        out.append(Membership(unit, m.role, m.valid_from, m.valid_to))
    return tuple(out)


def one_seat_each(sites: Iterable[tuple[str, tuple[Membership, ...], Located]], report: Report) -> None:
    """A unit has at most one seat at a time: the others are its service points."""
    seats: dict[AdminUnit, list[tuple[str, Membership]]] = {}
    for site_id, admin, src in sites:
        for m in admin:
            if m.role != "seat":
                continue
            mine = _span(m.valid_from, m.valid_to)
            for other_id, other in seats.get(m.unit, []):
                if _overlap(mine, _span(other.valid_from, other.valid_to)):
                    report(
                        src,
                        "duplicate-seat",
                        f"site {site_id}: unit {m.unit.code} ({m.unit.name}) already has its seat at "
                        f"{other_id} (make one of them role: service-point)",
                    )
            seats.setdefault(m.unit, []).append((site_id, m))
