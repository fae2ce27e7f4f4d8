"""`provdc inventory reorganize apply PLAN`: the two-tier inventory a checked plan describes.

The plan is read as hostile input (bounded YAML, a schema of the inventory's kinds, every site and
unit checked against the inventory and the datasets). The new inventory is written into a staging
folder beside DIR, each file atomically, loaded and validated there, and only then takes DIR's
place by rename (an existing DIR is kept as a backup with --force). No site's code changes, so no
address, prefix, VLAN or ASN does (ipam.py derives them from the code); names, hostnames, the
province and the units do. The rename map and the change report are written beside the files.
"""

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from provdc.core.errors import ProvdcError
from provdc.core.files import write_file
from provdc.inventory import admin_data, yaml_bounded
from provdc.inventory.kinds import Code, Day, DomainName, Email, Flag, HumanName, Identifier
from provdc.inventory.loader import check_inventory, load_inventory
from provdc.inventory.model import Inventory, Site
from provdc.inventory.reorganize import EFFECTIVE
from provdc.inventory.reorganize_report import ChangeReport, change_report
from provdc.inventory.schema import CommuneType, ProvinceType
from provdc.inventory.sections import _plain as plain_data
from provdc.inventory.source import inventory_files, line_of
from provdc.inventory.staging import discard, refuse_existing, stage_files, swap_in, tree_files
from provdc.inventory.yaml_edit import CommentedMap, CommentedSeq, dump, flow, quoted, rt_yaml

MAX_PLAN_BYTES = 2 * 2**20


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanProvinceIn(_Strict):
    code: Code
    name: HumanName
    type: ProvinceType
    domain: DomainName | None = None
    portal_host: DomainName | None = None
    noc_contact: Email | None = None
    banner: list[HumanName] = Field(min_length=1, max_length=20)


class OldProvinceIn(_Strict):
    code: Code
    name: HumanName


class PlanUnitIn(_Strict):
    code: Code
    name: HumanName
    type: CommuneType
    seat: Identifier | None = None
    service_points: list[Identifier] = []


class DecisionIn(_Strict):
    site: Identifier
    kind: Literal["split", "unmatched", "seat"]
    why: Annotated[str, Field(max_length=2000)] = ""
    choices: list[Identifier] = []
    choice: Identifier | None = None
    confirmed: Flag = False


class ListedIn(_Strict):
    site: Identifier
    code: Code
    name: HumanName
    district: Code | None = None
    as_: HumanName | None = Field(default=None, alias="as")
    as_code: Code | None = None


class PlanIn(_Strict):
    plan: Literal["reorganize"]
    to: Literal[2025]
    effective: Day
    old_province: OldProvinceIn
    province: PlanProvinceIn
    datasets: dict[Identifier, Annotated[str, Field(max_length=40, pattern=r"^[0-9.]+$")]]
    units: list[PlanUnitIn] = Field(min_length=1)
    decisions: list[DecisionIn] = []
    unmatched: list[ListedIn] = []
    placed_by_code: list[ListedIn] = []


def _fail(path: Path, line: int, message: str) -> ProvdcError:
    return ProvdcError(f"{path}:{line}: {message}")


def read_plan(path: Path) -> tuple[PlanIn, Any]:
    """The plan file, parsed (bounded) and checked against the plan schema: one line per refusal."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProvdcError(f"{path}: cannot read: {exc.strerror}") from None
    if len(raw) > MAX_PLAN_BYTES:
        raise _fail(path, 1, f"plan is over {MAX_PLAN_BYTES // 2**20} MiB")
    try:
        data = yaml_bounded.load(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail(path, raw[: exc.start].count(b"\n") + 1, "not UTF-8") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise _fail(path, mark.line + 1 if mark else 1, f"malformed YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise _fail(path, 1, f"malformed YAML: {str(exc).splitlines()[0]}") from None
    except yaml_bounded.YamlRefused as exc:
        raise _fail(path, exc.line, f"malformed YAML: {exc.message}") from None
    if not isinstance(data, dict):
        raise _fail(path, 1, "a plan is a mapping (plan: reorganize, to, units, …)")
    try:
        return PlanIn.model_validate(plain_data(data)), data
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "plan"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise _fail(path, line_of(data, err["loc"]), f"{where}: {err['msg']}{more}") from None


@dataclass(frozen=True)
class Assignment:
    site: Site
    unit: PlanUnitIn
    role: Literal["seat", "service-point"]

    @property
    def new_name(self) -> str:
        if self.role == "seat":
            return self.unit.name
        if self.site.name == self.unit.name:  # a service point named as its new unit: say so
            return f"{self.unit.name} (điểm phục vụ)"
        return f"{self.unit.name} - {self.site.name}"


def check_plan(
    plan: PlanIn, raw: Any, path: Path, inv: Inventory, accept_defaults: bool
) -> dict[str, Assignment]:
    """Every commune site in exactly one unit, each unit as the datasets give it, decisions made."""

    def at(*loc: int | str) -> int:
        return line_of(raw, loc)

    if plan.old_province.code != inv.province.code:
        raise _fail(
            path,
            at("old_province", "code"),
            f"the plan is for province {plan.old_province.code}; the inventory is {inv.province.code}",
        )
    if plan.effective != EFFECTIVE[plan.to]:
        raise _fail(
            path, at("effective"), f"the {plan.to} reorganisation is in force from {EFFECTIVE[plan.to]}"
        )
    data = admin_data.load(inv.province.code)
    for name, version in plan.datasets.items():
        if data.versions.get(name) != version:
            raise _fail(path, at("datasets", name), f"dataset {name} {version} is not the one installed")
    if plan.province.code != data.new_province_code:
        raise _fail(
            path, at("province", "code"), f"the datasets put this province into {data.new_province_code}"
        )
    by_code = {u.code: u for u in data.new_units.values()}
    communes = {s.id: s for s in inv.sites_of("commune")}
    out: dict[str, Assignment] = {}
    seen_units: set[str] = set()
    for i, u in enumerate(plan.units):
        known = by_code.get(u.code)
        if known is None:
            raise _fail(
                path, at("units", i, "code"), f"unit {u.code} is not a unit of {data.new_province_full_name}"
            )
        if (known.name, known.type) != (u.name, u.type):
            raise _fail(
                path,
                at("units", i, "name"),
                f"unit {u.code} is {known.full_name} ({known.type}) in vietnam-provinces, "
                f"not {u.name} ({u.type})",
            )
        if u.code in seen_units:
            raise _fail(path, at("units", i, "code"), f"unit {u.code} is listed twice")
        seen_units.add(u.code)
        if u.seat is None and u.service_points:
            raise _fail(path, at("units", i, "seat"), f"unit {u.code} has service points but no seat")
        members = [(u.seat, "seat")] if u.seat else []
        members += [(s, "service-point") for s in u.service_points]
        for j, (site, role) in enumerate(members):
            loc = (
                ("units", i, "seat")
                if role == "seat"
                else ("units", i, "service_points", j - (1 if u.seat else 0))
            )
            if site not in communes:
                raise _fail(path, at(*loc), f"{site} is not a commune site of the inventory")
            if site in out:
                raise _fail(path, at(*loc), f"{site} is already in unit {out[site].unit.code}")
            out[site] = Assignment(communes[site], u, "seat" if role == "seat" else "service-point")
    missing = sorted(set(communes) - set(out))
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise _fail(path, at("units"), f"{missing[0]} is in no unit{more}: every commune site needs one")
    open_ = [(i, d) for i, d in enumerate(plan.decisions) if not d.confirmed]
    if open_ and not accept_defaults:
        i, d = open_[0]
        raise _fail(
            path,
            at("decisions", i, "confirmed"),
            f"decision for {d.site} ({d.kind}) is not confirmed; {len(open_)} open "
            "(set confirmed: true, or apply with --accept-defaults)",
        )
    for i, d in enumerate(plan.decisions):
        if d.site not in communes:
            raise _fail(path, at("decisions", i, "site"), f"{d.site} is not a commune site of the inventory")
    return out


# -- writing ------------------------------------------------------------------------------------


def _province(doc: CommentedMap, plan: PlanIn) -> None:
    prov = doc["province"]
    prov["code"], prov["name"] = quoted(plan.province.code), quoted(plan.province.name)
    prov["type"] = plan.province.type
    for name in ("domain", "portal_host", "noc_contact"):
        value = getattr(plan.province, name)
        if value is not None:
            prov[name] = value
    if "services" in doc:
        doc["services"]["banner"] = CommentedSeq([quoted(line) for line in plan.province.banner])


def _districts(doc: CommentedMap) -> None:
    for entry in doc["districts"]:
        entry["type"] = "hub"  # a WAN aggregation point, no longer an administrative level


def _communes(doc: CommentedMap, assigned: dict[str, Assignment], plan: PlanIn) -> None:
    last_old = plan.effective - timedelta(days=1)
    for entry in doc["communes"]:
        a = assigned[f"com-{entry['code']}"]
        old = a.site.unit
        hub = entry.get("district")
        items = list(entry.items())
        entry.clear()
        for k, v in items:
            if k == "name":
                entry["name"] = quoted(a.new_name)
            elif k == "type":
                continue
            elif k == "district":
                entry["hub"] = quoted(str(hub))
            else:
                entry[k] = v
        history = [m for m in a.site.admin if m.valid_to is not None]
        entry["admin"] = CommentedSeq(
            [
                *[
                    flow(
                        {
                            "unit": quoted(m.unit.code),
                            "role": m.role,
                            **({"valid_from": m.valid_from} if m.valid_from else {}),
                            "valid_to": m.valid_to,
                        }
                    )
                    for m in history
                ],
                *(
                    [flow({"unit": quoted(old.code), "role": "seat", "valid_to": last_old})]
                    if old is not None and old.valid_to is None
                    else []
                ),
                flow({"unit": quoted(a.unit.code), "role": a.role, "valid_from": plan.effective}),
            ]
        )


def admin_units_yaml(inv: Inventory, plan: PlanIn) -> str:
    """Every unit: the old ones closed the day before the plan takes effect, the new ones from it."""
    last_old = plan.effective - timedelta(days=1)
    rows = []
    for u in inv.admin_units:
        rows.append(
            flow(
                {
                    "code": quoted(u.code),
                    "name": quoted(u.name),
                    "type": u.type,
                    "level": u.level,
                    **({"parent": quoted(u.parent)} if u.parent else {}),
                    **({"valid_from": u.valid_from} if u.valid_from else {}),
                    "valid_to": u.valid_to or last_old,
                }
            )
        )
    p = plan.province
    rows.append(
        flow(
            {
                "code": quoted(p.code),
                "name": quoted(p.name),
                "type": p.type,
                "level": "province",
                "valid_from": plan.effective,
            }
        )
    )
    for n in plan.units:
        rows.append(
            flow(
                {
                    "code": quoted(n.code),
                    "name": quoted(n.name),
                    "type": n.type,
                    "level": "commune",
                    "parent": quoted(p.code),
                    "valid_from": plan.effective,
                }
            )
        )
    head = (
        f"# Administrative units of {p.name} and of the units it replaced ({plan.old_province.name}),\n"
        "# each with its validity; written by `provdc inventory reorganize apply`. Names are NFC.\n"
    )
    return head + dump(CommentedMap({"admin_units": CommentedSeq(rows)}))


def new_files(root: Path, inv: Inventory, plan: PlanIn, assigned: dict[str, Assignment]) -> dict[Path, bytes]:
    """Every file of the new inventory (relative path → bytes): YAML files edited, others copied."""
    out = tree_files(root)
    for path in inventory_files(root):
        rel = path.relative_to(root)
        doc = rt_yaml().load(out[rel].decode("utf-8"))
        if not isinstance(doc, CommentedMap):
            continue
        if "province" in doc:
            _province(doc, plan)
        if "districts" in doc:
            _districts(doc)
        if "communes" in doc:
            _communes(doc, assigned, plan)
        if {"province", "districts", "communes"} & set(doc):
            out[rel] = dump(doc).encode("utf-8")
    out[Path("admin_units.yml")] = admin_units_yaml(inv, plan).encode("utf-8")
    return out


def renames(old: Inventory, new: Inventory) -> dict[str, str]:
    """Old router hostname → new, for every site whose hostname changes."""
    return {
        s.router.hostname: new.sites[s.id].router.hostname
        for s in old.sites.values()
        if s.router.hostname != new.sites[s.id].router.hostname
    }


@dataclass
class Applied:
    out: Path
    backup: Path | None
    old: Inventory
    new: Inventory
    renames: dict[str, str]
    report: ChangeReport


def apply_plan(
    plan_path: Path, root: Path, out: Path, force: bool = False, accept_defaults: bool = False
) -> Applied:
    plan, raw = read_plan(plan_path)
    inv = load_inventory(root)
    assigned = check_plan(plan, raw, plan_path, inv, accept_defaults)
    if out.resolve() == root.resolve() or root.resolve().is_relative_to(out.resolve()):
        raise ProvdcError(f"{out}: would replace the inventory being reorganised; give another folder")
    refuse_existing(out, force)
    files = new_files(root, inv, plan, assigned)
    stage = stage_files(out, files)
    try:
        result = check_inventory(stage)
        if not result.ok or result.inventory is None:
            first = result.problems[0] if result.problems else "not valid"
            raise ProvdcError(f"reorganize: the new inventory would not be valid: {first}")
        renamed = renames(inv, result.inventory)
        report = change_report(inv, result.inventory, renamed)
        # Beside the inventory, not in it: the loader reads only .yml files.
        write_file(
            stage / "reorganize-renames.json", json.dumps(renamed, ensure_ascii=False, indent=2) + "\n"
        )
        write_file(stage / "reorganize-changes.json", report.as_json() + "\n")
        write_file(stage / "reorganize-changes.txt", report.as_text() + "\n")
    except BaseException:
        discard(stage)
        raise
    backup = swap_in(stage, out, force)
    return Applied(out, backup, inv, load_inventory(out), renamed, report)
