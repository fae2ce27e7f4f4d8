"""Phase 2 of loading: each top-level section of each file checked against its schema.

Sections that hold one object may appear once across all files; list sections are joined.
Every item is validated on its own so that one bad entry does not hide the others.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel, TypeAdapter, ValidationError

from provdc.inventory.model import Located
from provdc.inventory.schema import (
    AddressPlanIn,
    AdminUnitIn,
    AgencyIn,
    CarrierIn,
    CommuneIn,
    DatacenterIn,
    DistrictIn,
    IpamIn,
    ProvinceIn,
    ServicesIn,
    SiteDefaultsIn,
    ThresholdsIn,
    VsphereIn,
    WorkloadIn,
)
from provdc.inventory.source import Document, Problem, YSeq, items_with_lines, line_of

T = TypeVar("T", bound=BaseModel)
S = TypeVar("S")

SINGLE_SECTIONS: dict[str, Any] = {
    "province": ProvinceIn,
    "carrier": CarrierIn,
    "ipam": IpamIn,
    "site_defaults": dict[str, SiteDefaultsIn],
    "services": ServicesIn,
    "thresholds": ThresholdsIn,
    "vsphere": VsphereIn,
}
LIST_SECTIONS: dict[str, type[BaseModel]] = {
    "datacenters": DatacenterIn,
    "agencies": AgencyIn,
    "districts": DistrictIn,
    "communes": CommuneIn,
    "workloads": WorkloadIn,
}
# List sections an inventory may leave out (older inventories have none).
OPTIONAL_LIST_SECTIONS: dict[str, type[BaseModel]] = {
    "admin_units": AdminUnitIn,
    "address_plans": AddressPlanIn,
}
ALL_LIST_SECTIONS = {**LIST_SECTIONS, **OPTIONAL_LIST_SECTIONS}


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A validated list item and where it was written."""

    value: T
    src: Located


@dataclass
class Sections:
    """Everything the files said, validated, before addresses are derived."""

    single: dict[str, tuple[Any, Located, Any]] = field(default_factory=dict)
    lists: dict[str, list[Entry[Any]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def _one(self, name: str, kind: type[S]) -> S:
        value = self.single[name][0]
        if not isinstance(value, kind):
            raise TypeError(f"section {name} holds {type(value).__name__}, not {kind.__name__}")
        return value

    # One typed accessor per section; the loader asks only for sections it knows are present.
    def province(self) -> ProvinceIn:
        return self._one("province", ProvinceIn)

    def carrier(self) -> CarrierIn:
        return self._one("carrier", CarrierIn)

    def ipam(self) -> IpamIn:
        return self._one("ipam", IpamIn)

    def site_defaults(self) -> dict[str, SiteDefaultsIn]:
        return cast(dict[str, SiteDefaultsIn], self._one("site_defaults", dict))

    def services(self) -> ServicesIn:
        return self._one("services", ServicesIn)

    def thresholds(self) -> ThresholdsIn:
        return self._one("thresholds", ThresholdsIn)

    def vsphere(self) -> VsphereIn:
        return self._one("vsphere", VsphereIn)

    def items(self, name: str, kind: type[T]) -> list[Entry[T]]:
        """The validated entries of a list section (read_sections checked each against `kind`)."""
        if ALL_LIST_SECTIONS[name] is not kind:
            raise TypeError(f"section {name} holds {ALL_LIST_SECTIONS[name].__name__}, not {kind.__name__}")
        return cast(list[Entry[T]], self.lists[name])

    def where(self, name: str, *loc: int | str) -> Located:
        """Where a section, or something inside it (a pydantic-style path), was written."""
        _, src, node = self.single[name]
        return Located(src.file, line_of(node, loc)) if loc else src


def _describe(section: str, loc: Sequence[int | str], msg: str, kind: str) -> tuple[str, str]:
    path = section + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
    if kind == "extra_forbidden":
        return "unknown-key", f"{path}: unknown key"
    if kind == "missing":
        return "missing-key", f"{path}: " + ("required key is missing" if msg == "Field required" else msg)
    return "invalid", f"{path}: {msg}"


def _validate(
    adapter: TypeAdapter[Any],
    raw: Any,
    section: str,
    prefix: Sequence[int | str],
    doc: Document,
    node: Any,
    out: list[Problem],
) -> Any | None:
    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = [*prefix, *err["loc"]]
            code, message = _describe(section, loc, err["msg"], err["type"])
            out.append(Problem(doc.path, line_of(node, err["loc"]), code, message))
        return None


def _plain(node: Any) -> Any:
    """Plain dicts (string keys) and lists, for pydantic."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def read_sections(docs: list[Document]) -> Sections:
    out = Sections(lists={name: [] for name in ALL_LIST_SECTIONS})
    adapters = {name: TypeAdapter(t) for name, t in SINGLE_SECTIONS.items()}
    item_adapters = {name: TypeAdapter(t) for name, t in ALL_LIST_SECTIONS.items()}
    for doc in docs:
        for key, node in doc.data.items():
            line = doc.data.lines[key]
            if key in SINGLE_SECTIONS:
                if key in out.single:
                    first = out.single[key][1]
                    out.problems.append(
                        Problem(
                            doc.path,
                            line,
                            "duplicate-section",
                            f"section '{key}' is already given at {first}",
                        )
                    )
                    continue
                value = _validate(adapters[key], _plain(node), key, [], doc, node, out.problems)
                if value is not None:
                    out.single[key] = (value, Located(doc.path, line), node)
            elif key in ALL_LIST_SECTIONS:
                if not isinstance(node, YSeq):
                    out.problems.append(Problem(doc.path, line, "invalid", f"{key}: expected a list"))
                    continue
                for index, (item_line, item) in enumerate(items_with_lines(node)):
                    value = _validate(item_adapters[key], _plain(item), key, [index], doc, item, out.problems)
                    if value is not None:
                        out.lists[key].append(Entry(value, Located(doc.path, item_line)))
            else:
                known = ", ".join(sorted([*SINGLE_SECTIONS, *ALL_LIST_SECTIONS]))
                out.problems.append(
                    Problem(doc.path, line, "unknown-section", f"unknown section '{key}' (known: {known})")
                )
    return out
