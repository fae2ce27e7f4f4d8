"""`provdc inventory reorganize plan`: the 2025 reorganisation of an inventory's communes, planned.

Each commune site of the inventory is placed in the 2024 list (parser_legacy.json, admin_data.py)
by its code, else by its name in its district; the converter then says which 2025 unit the old
unit went into, whole or split. Sites the 2024 list cannot place (communes merged between 2019 and
2024) are reported by code and name, with a suggestion a person must confirm. The plan is a YAML
file a person edits; `apply` (reorganize_apply.py) validates it again before writing anything.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from provdc.inventory import admin_data
from provdc.inventory.admin_data import Datasets, NewUnit, OldUnit
from provdc.inventory.model import Inventory, Site

EFFECTIVE = {2025: date(2025, 7, 1)}  # Resolution 202/2025/QH15 and the two-tier local government law
How = Literal["matched", "renamed", "by-name", "split", "unmatched"]
HOW_TEXT = {
    "matched": "the 2024 list has it by code and name",
    "renamed": "the 2024 list has its code under another name (merged 2019-2024)",
    "by-name": "the 2024 list has its name in its district under another code",
    "split": "its unit was divided between new units",
    "unmatched": "the 2024 list has neither its code nor its name",
}


@dataclass(frozen=True)
class Placement:
    site: str
    code: str
    name: str
    district: str
    how: How
    old: OldUnit | None
    unit: str  # the new unit's code
    choices: tuple[str, ...] = ()  # the new units it could go to, where a person decides


@dataclass
class PlannedUnit:
    unit: NewUnit
    seat: str | None = None
    service_points: list[str] = field(default_factory=list)
    seat_rule: str = ""


@dataclass
class Plan:
    to: int
    effective: date
    data: Datasets
    old_code: str
    old_name: str
    placements: list[Placement]
    units: list[PlannedUnit]
    banner: tuple[str, ...]
    names: dict[str, str] = field(default_factory=dict)  # domain, portal_host, noc_contact

    def unmatched(self) -> list[Placement]:
        return [p for p in self.placements if p.how == "unmatched"]

    def decisions(self) -> list[str]:
        """The sites a person must decide for: split units, unmatched communes, seats by rule."""
        placed = [p.site for p in self.placements if p.how in ("split", "unmatched")]
        return placed + [u.seat for u in self.units if u.seat and u.seat_rule.endswith("confirm")]

    def counts(self) -> dict[str, int]:
        hows: list[How] = ["matched", "renamed", "by-name", "split", "unmatched"]
        return {h: sum(1 for p in self.placements if p.how == h) for h in hows}


def _by_code(data: Datasets) -> dict[str, NewUnit]:
    return {u.code: u for u in data.new_units.values()}


def _place(site: Site, data: Datasets, inv: Inventory) -> Placement:
    unit = site.unit
    name, district = (unit.name, unit.parent or "") if unit else (site.name, site.district or "")
    utype = unit.type if unit else site.type
    code = unit.code if unit else site.code
    old = data.old_units.get(code)
    how: How
    if old is not None:
        how = "matched" if old.key == admin_data.unit_key(utype, name) else "renamed"
    else:
        dunit = next((u for u in inv.admin_units if u.code == district and u.level == "district"), None)
        dkey = admin_data.unit_key(dunit.type, dunit.name) if dunit else ""
        wanted = admin_data.unit_key(utype, name)
        old = next((o for o in data.old_units.values() if o.district_key == dkey and o.key == wanted), None)
        how = "by-name" if old is not None else "unmatched"
    if old is None:
        return Placement(site.id, code, name, district, "unmatched", None, "")
    full = data.old_full_key(old)
    if full in data.whole:
        return Placement(site.id, code, name, district, how, old, data.new_units[data.whole[full]].code)
    split = data.split.get(full)
    if split is None:
        return Placement(site.id, code, name, district, "unmatched", old, "")
    choices = tuple(data.new_units[k].code for k in split.new_keys)
    return Placement(site.id, code, name, district, "split", old, data.new_units[split.default].code, choices)


def _suggest(p: Placement, placed: list[Placement]) -> Placement:
    """An unmatched site: the unit of the placed site of its district nearest by code (a guess)."""
    same = [q for q in placed if q.district == p.district and q.unit]
    if not same:
        return p
    nearest = min(same, key=lambda q: (abs(int(q.code) - int(p.code)), q.code))
    choices = tuple(sorted({q.unit for q in same}, key=int))
    return Placement(p.site, p.code, p.name, p.district, "unmatched", None, nearest.unit, choices)


def _seats(placements: Iterable[Placement], data: Datasets) -> list[PlannedUnit]:
    """Each new unit with its sites: the seat is the site whose code the unit kept, else the
    lowest code placed whole, else the lowest code (and a person confirms)."""
    by_code = _by_code(data)
    units: dict[str, PlannedUnit] = {}
    for p in sorted(placements, key=lambda p: p.code):
        if p.unit:
            units.setdefault(p.unit, PlannedUnit(by_code[p.unit])).service_points.append(p.site)
    touched = {data.new_units[k].code for k in data.whole.values()}
    touched |= {data.new_units[k].code for s in data.split.values() for k in s.new_keys}
    for code in touched - set(units):
        units[code] = PlannedUnit(by_code[code], seat_rule="no site of this inventory is in it")
    how = {p.site: p.how for p in placements}
    for planned in units.values():
        sites = planned.service_points
        if not sites:
            continue
        own = f"com-{planned.unit.code}"
        if own in sites:
            seat, rule = own, "the site whose code the unit kept"
        else:
            whole = [s for s in sites if how[s] in ("matched", "renamed", "by-name")]
            seat = (whole or sites)[0]
            rule = "lowest code (the unit kept another code): confirm"
        planned.seat, planned.seat_rule = seat, rule
        planned.service_points = [s for s in sites if s != seat]
    return sorted(units.values(), key=lambda u: int(u.unit.code))


def new_banner(banner: Iterable[str], old_full: str, new_full: str) -> tuple[str, ...]:
    """The banner with the old province's name ('tỉnh Hải Dương') as the new one's."""
    pairs = [(old_full, new_full), (old_full[:1].lower() + old_full[1:], new_full[:1].lower() + new_full[1:])]
    out = []
    for line in banner:
        for a, b in pairs:
            line = line.replace(a, b)
        out.append(line)
    return tuple(out)


def make_plan(inv: Inventory, to: int) -> Plan:
    if to not in EFFECTIVE:
        raise admin_data.DatasetError(f"no dataset for a reorganisation in {to} (known: 2025)")
    data = admin_data.load(inv.province.code)
    communes = sorted(inv.sites_of("commune"), key=lambda s: s.code)
    first = [_place(s, data, inv) for s in communes]
    placed = [p for p in first if p.how != "unmatched"]
    placements = [p if p.how != "unmatched" else _suggest(p, placed) for p in first]
    return Plan(
        to,
        EFFECTIVE[to],
        data,
        inv.province.code,
        inv.province.name,
        placements,
        _seats(placements, data),
        new_banner(inv.services.banner, data.old_province_name, data.new_province_full_name),
        {
            "domain": inv.province.domain,
            "portal_host": inv.province.portal_host,
            "noc_contact": inv.province.noc_contact,
        },
    )


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def plan_yaml(plan: Plan) -> str:
    """The plan as the file a person reviews and edits."""
    c = plan.counts()
    d = plan.data
    lines = [
        f"# Reorganisation plan: {plan.old_name} ({plan.old_code}) into {d.new_province_full_name} "
        f"({d.new_province_code}), in force {plan.effective}.",
        f"# From {', '.join(f'{k}=={v}' for k, v in d.versions.items())}. Commune sites: "
        + ", ".join(f"{v} {k}" for k, v in c.items())
        + ".",
        "# Edit `units` (move a site between seat and service_points of any unit) and set each decision's",
        "# confirmed: true once checked; `provdc inventory reorganize apply` validates the file again.",
        "plan: reorganize",
        f"to: {plan.to}",
        f"effective: {plan.effective}",
        f"old_province: {{code: {_q(plan.old_code)}, name: {_q(plan.old_name)}}}",
        "province:",
        f"  code: {_q(d.new_province_code)}",
        f"  name: {_q(d.new_province_name)}",
        f"  type: {d.new_province_type}",
        "  # the old province's names below stay until you change them (the network keeps working)",
        *[f"  {k}: {_q(v)}" for k, v in plan.names.items() if v],
        "  banner:",
        *[f"    - {_q(line)}" for line in plan.banner],
        "datasets:",
        *[f"  {k}: {_q(v)}" for k, v in d.versions.items()],
        "units:",
    ]
    for u in plan.units:
        lines.append(
            f"  - code: {_q(u.unit.code)}  # {u.seat_rule}" if u.seat_rule else f"  - code: {_q(u.unit.code)}"
        )
        lines += [f"    name: {_q(u.unit.name)}", f"    type: {u.unit.type}"]
        lines.append(f"    seat: {u.seat}" if u.seat else "    seat: null")
        lines.append(f"    service_points: [{', '.join(u.service_points)}]")
    lines.append("decisions:")
    for p in plan.placements:
        if p.how in ("split", "unmatched"):
            old = f"{p.old.name} ({p.old.code})" if p.old else f"{p.name} ({p.code})"
            why = (
                f"{old} was divided between {', '.join(p.choices)}; the dataset's default is {p.unit}"
                if p.how == "split"
                else f"{p.name} ({p.code}) is not in the 2024 list; nearest placed code in its district "
                f"is in {p.unit or 'none'}"
            )
            lines += [
                f"  - site: {p.site}",
                f"    kind: {p.how}",
                f"    why: {_q(why)}",
                f"    choices: [{', '.join(_q(x) for x in p.choices)}]",
                f"    choice: {_q(p.unit)}" if p.unit else "    choice: null",
                "    confirmed: false",
            ]
    for u in plan.units:
        if u.seat and u.seat_rule.endswith("confirm"):
            lines += [
                f"  - site: {u.seat}",
                "    kind: seat",
                f"    why: {_q(f'unit {u.unit.code} {u.unit.full_name} kept a code none of its sites has')}",
                f"    choices: [{', '.join([u.seat, *u.service_points])}]",
                f"    choice: {u.seat}",
                "    confirmed: false",
            ]
    lines.append("unmatched:  # communes the 2024 list cannot place, by code and name")
    for p in plan.unmatched():
        lines.append(
            f"  - {{site: {p.site}, code: {_q(p.code)}, name: {_q(p.name)}, district: {_q(p.district)}}}"
        )
    renamed = [p for p in plan.placements if p.how in ("renamed", "by-name")]
    lines.append(
        "placed_by_code:  # communes the 2024 list has under another name or code (merged before 2024)"
    )
    for p in renamed:
        assert p.old is not None
        lines.append(
            f"  - {{site: {p.site}, code: {_q(p.code)}, name: {_q(p.name)}, "
            f"as: {_q(p.old.name)}, as_code: {_q(p.old.code)}}}"
        )
    return "\n".join(lines) + "\n"
