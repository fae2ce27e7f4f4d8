"""The 2025 reorganisation datasets, read from the installed packages' data files and validated.

`vietnamadminunits` 1.0.4 ships `converter_2025.json` (old unit → new ward, whole or split) and
`parser_legacy.json` (the 2024 list of old units, with codes); `vietnam-provinces` 2025.10.1 ships
the new units with their codes (`nested-divisions.json`). The files are found through the
packages' metadata and read as JSON: neither package is imported (the first pulls in geometry
libraries it needs only for street addresses). Package data is input like any other: every value
is checked for its type, names are NFC and pass the inventory's name kind, codes are digits.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic_core import PydanticCustomError

from provdc.core.errors import ProvdcError
from provdc.inventory.kinds import human_name

CONVERTER = ("vietnamadminunits", "1.0.4")
PROVINCES = ("vietnam-provinces", "2025.10.1")
MAX_DATA_BYTES = 16 * 2**20
_SPECIAL = str.maketrans({"đ": "d", "Đ": "D"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Unit types as the datasets write them, as the inventory's type names.
TYPES = {
    "tinh": "tinh",
    "thanhpho": "thanh-pho",
    "thanhphotrunguong": "thanh-pho",
    "thixa": "thi-xa",
    "huyen": "huyen",
    "quan": "quan",
    "phuong": "phuong",
    "xa": "xa",
    "thitran": "thi-tran",
    "dackhu": "dac-khu",
}
TYPE_WORDS = {"thanh-pho": "thanhpho", "thi-xa": "thixa", "thi-tran": "thitran", "dac-khu": "dackhu"}


class DatasetError(ProvdcError):
    """A dataset file is missing, of another version, or not what it should hold."""


def key(text: str) -> str:
    """The datasets' unit key: ASCII letters and digits of the name ('Xã Tân Hồng' → 'xatanhong').

    Computed here for both sides, so a key the data wrote with accents still matches.
    """
    plain = unicodedata.normalize("NFKD", text.translate(_SPECIAL)).encode("ascii", "ignore").decode()
    return _NON_ALNUM.sub("", plain.lower())


def accented_key(text: str) -> str:
    """The key with its accents: 'Xã Cẩm Giàng' → 'xãcẩmgiàng' (two Hải Phòng units differ only so)."""
    return "".join(c for c in unicodedata.normalize("NFC", text.lower()) if c.isalnum())


def _dataset_key(text: str) -> str:
    """A key as the converter writes it: plain ASCII, or accented where plain would be ambiguous."""
    return key(text) if text.isascii() else accented_key(text)


def unit_key(unit_type: str, name: str) -> str:
    """'xa' + 'Tân Hồng' → 'xatanhong' (the type word as the datasets prefix it)."""
    return TYPE_WORDS.get(unit_type, unit_type) + key(name)


@dataclass(frozen=True)
class OldUnit:
    """A unit of the 2024 list: a commune-level unit under its district."""

    code: str
    name: str  # without its type word: 'Quốc Tuấn'
    type: str
    district_key: str
    key: str  # its ward key: 'xaquoctuan'


@dataclass(frozen=True)
class NewUnit:
    code: str
    name: str  # without its type word: 'Ái Quốc'
    full_name: str  # as written officially: 'Phường Ái Quốc'
    type: str
    key: str


@dataclass(frozen=True)
class Split:
    """An old unit divided between new units; `default` is the dataset's choice for its seat."""

    new_keys: tuple[str, ...]
    default: str


@dataclass
class Datasets:
    """Everything the planner reads, for one old province and the new province it went into."""

    old_province_code: str
    old_province_key: str
    old_province_name: str  # 'Tỉnh Hải Dương'
    new_province_code: str
    new_province_name: str  # 'Hải Phòng'
    new_province_full_name: str  # 'Thành phố Hải Phòng'
    new_province_type: str
    old_districts: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (code, name)
    old_units: dict[str, OldUnit] = field(default_factory=dict)  # by code
    whole: dict[str, str] = field(default_factory=dict)  # old full key -> new key
    split: dict[str, Split] = field(default_factory=dict)  # old full key -> split
    new_units: dict[str, NewUnit] = field(default_factory=dict)  # by key, or accented key if ambiguous
    versions: dict[str, str] = field(default_factory=dict)

    def old_full_key(self, unit: OldUnit) -> str:
        return f"{self.old_province_key}_{unit.district_key}_{unit.key}"


def _bad(what: str, where: str) -> DatasetError:
    return DatasetError(f"dataset {where}: {what}")


def _data_file(dist: str, version: str, relative: str) -> Path:
    try:
        found = metadata.distribution(dist)
    except metadata.PackageNotFoundError:
        raise DatasetError(
            f"the Python package {dist}=={version} is not installed (pip install {dist}=={version})"
        ) from None
    if found.version != version:
        raise DatasetError(f"{dist} {found.version} is installed; the plan is made from {dist}=={version}")
    path = Path(str(found.locate_file(relative)))
    if not path.is_file():
        raise DatasetError(f"{dist} {version} has no data file {relative}")
    return path


def _json(path: Path) -> Any:
    try:
        size = path.stat().st_size
        if size > MAX_DATA_BYTES:
            raise _bad(f"{size} bytes, over the {MAX_DATA_BYTES // 2**20} MiB limit", path.name)
        return json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(f"cannot be read as UTF-8 JSON ({exc})", path.name) from None


def _map(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise _bad("expected an object", where)
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _bad("expected a string", where)
    return value


def _name(value: Any, where: str) -> str:
    text = unicodedata.normalize("NFC", _text(value, where))
    try:
        return human_name(text)
    except PydanticCustomError as exc:
        raise _bad(f"name {text!r} {exc.message()}", where) from None


def _code(value: Any, where: str) -> str:
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else _text(value, where)
    if not re.fullmatch(r"[0-9]{1,6}", text):
        raise _bad(f"code {text!r} is not 1-6 digits", where)
    return text


def _type(value: Any, where: str) -> str:
    found = TYPES.get(key(_text(value, where)))
    if found is None:
        raise _bad(f"unknown unit type {value!r}", where)
    return found


def _short(full: str, unit_type: str, where: str) -> str:
    """'Phường Ái Quốc' without its type word, checked to start with it."""
    word = TYPE_WORDS.get(unit_type, unit_type)
    for cut in range(1, len(full)):
        if full[cut] == " " and key(full[:cut]) == word:
            return full[cut + 1 :]
    raise _bad(f"name {full!r} does not start with its type", where)


def load(old_province_code: str) -> Datasets:
    """The datasets for the old province of that code (30: Hải Dương)."""
    legacy = _map(
        _json(_data_file(*CONVERTER, "vietnamadminunits/data/parser_legacy.json")), "parser_legacy.json"
    )
    converter = _map(
        _json(_data_file(*CONVERTER, "vietnamadminunits/data/converter_2025.json")), "converter_2025.json"
    )
    nested = _json(_data_file(*PROVINCES, "vietnam_provinces/data/nested-divisions.json"))
    where = "parser_legacy.json"
    provinces = _map(legacy.get("DICT_PROVINCE"), f"{where} DICT_PROVINCE")
    old_key = next(
        (
            k
            for k, v in provinces.items()
            if isinstance(v, dict)
            and str(v.get("provinceCode", "")).lstrip("0") == old_province_code.lstrip("0")
        ),
        None,
    )
    if old_key is None:
        raise DatasetError(f"the 2024 list has no province of code {old_province_code}")
    old_name = _name(_map(provinces[old_key], where).get("province"), f"{where} {old_key}")
    new_map = _map(converter.get("DICT_PROVINCE"), "converter_2025.json DICT_PROVINCE")
    new_key = next((k for k, v in new_map.items() if isinstance(v, list) and old_key in v), None)
    if new_key is None:
        raise DatasetError(f"converter_2025.json does not say where province {old_key} went")
    if not isinstance(nested, list):
        raise _bad("expected a list of provinces", "nested-divisions.json")
    new_prov = next(
        (p for p in nested if isinstance(p, dict) and key(_text(p.get("name", ""), "province")) == new_key),
        None,
    )
    if new_prov is None:
        raise DatasetError(f"vietnam-provinces has no province {new_key}")
    pwhere = f"nested-divisions.json {new_key}"
    full = _name(new_prov.get("name"), pwhere)
    ptype = _type(new_prov.get("division_type"), pwhere)
    out = Datasets(
        old_province_code,
        old_key,
        old_name,
        _code(new_prov.get("code"), pwhere),
        _short(full, "thanh-pho" if ptype == "thanh-pho" else "tinh", pwhere),
        full,
        ptype,
        versions={CONVERTER[0]: CONVERTER[1], PROVINCES[0]: PROVINCES[1]},
    )
    _read_old(out, legacy)
    _read_converter(out, converter, new_key)
    wards = new_prov.get("wards")
    if not isinstance(wards, list):
        raise _bad("expected a list of wards", pwhere)
    for i, w in enumerate(wards):
        ww = f"{pwhere} ward {i}"
        w = _map(w, ww)
        full_name = _name(w.get("name"), ww)
        wtype = _type(w.get("division_type"), ww)
        unit = NewUnit(
            _code(w.get("code"), ww), _short(full_name, wtype, ww), full_name, wtype, key(full_name)
        )
        if accented_key(full_name) in out.new_units:
            raise _bad(f"two wards are named {full_name}", ww)
        out.new_units[accented_key(full_name)] = unit
    plain: dict[str, list[NewUnit]] = {}
    for unit in list(out.new_units.values()):
        plain.setdefault(unit.key, []).append(unit)
    for k, units in plain.items():
        if len(units) == 1:  # unambiguous: found by its plain key, as most of the converter writes
            out.new_units[k] = units[0]
    missing = sorted(
        {*out.whole.values(), *(k for s in out.split.values() for k in s.new_keys)} - set(out.new_units)
    )
    if missing:
        raise _bad(f"new units {', '.join(missing)} are not in vietnam-provinces", "converter_2025.json")
    return out


def _read_old(out: Datasets, legacy: dict[str, Any]) -> None:
    where = "parser_legacy.json"
    districts = _map(_map(legacy.get("DICT_PROVINCE_DISTRICT"), where).get(out.old_province_key), where)
    for dkey, d in districts.items():
        d = _map(d, f"{where} {dkey}")
        out.old_districts[key(dkey)] = (
            _code(d.get("districtCode"), f"{where} {dkey}"),
            _name(d.get("districtShort"), f"{where} {dkey}"),
        )
    wards = _map(
        _map(legacy.get("DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"), where).get(out.old_province_key), where
    )
    for dkey, units in wards.items():
        for wkey, w in _map(units, f"{where} {dkey}").items():
            ww = f"{where} {dkey} {wkey}"
            w = _map(w, ww)
            unit = OldUnit(
                _code(w.get("wardCode"), ww),
                _name(w.get("wardShort"), ww),
                _type(w.get("wardType"), ww),
                key(dkey),
                key(wkey),
            )
            if unit.code in out.old_units:
                raise _bad(f"code {unit.code} is given twice", ww)
            out.old_units[unit.code] = unit


def _read_converter(out: Datasets, converter: dict[str, Any], new_key: str) -> None:
    where = "converter_2025.json"
    prefix = out.old_province_key + "_"
    whole = _map(_map(converter.get("DICT_PROVINCE_WARD_NO_DIVIDED"), where).get(new_key), where)
    for nkey, olds in whole.items():
        if not isinstance(olds, list):
            raise _bad("expected a list of old units", f"{where} {nkey}")
        for old in olds:
            old_key = _text(old, f"{where} {nkey}")
            if old_key.startswith(prefix):
                out.whole["_".join(key(p) for p in old_key.split("_"))] = _dataset_key(nkey)
    split = _map(converter.get("DICT_PROVINCE_WARD_DIVIDED", {}), where).get(new_key, {})
    for old_key, parts in _map(split, where).items():
        if not old_key.startswith(prefix):
            continue
        sw = f"{where} {old_key}"
        if not isinstance(parts, list) or not parts:
            raise _bad("expected a list of new units", sw)
        keys = tuple(_dataset_key(_text(_map(p, sw).get("newWardKey"), sw)) for p in parts)
        defaults = [k for k, p in zip(keys, parts, strict=True) if p.get("isDefaultNewWard") is True]
        if len(defaults) != 1:
            raise _bad(f"{len(defaults)} default new units (one expected)", sw)
        out.split["_".join(key(p) for p in old_key.split("_"))] = Split(keys, defaults[0])
    both = set(out.whole) & set(out.split)
    if both:
        raise _bad(f"{sorted(both)[0]} is both whole and split", where)
