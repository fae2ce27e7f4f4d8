#!/usr/bin/env python3
"""Writes the site lists of the Hải Dương inventory from the province's data files.

Run once when the official lists change:
    python3 scripts/import-admin-units.py ../shared/data inventory/haiduong
Existing circuit ids, bandwidths and platforms are planning assumptions (docs/inventory.md);
afterwards the YAML files are the source of truth and grow with `provdc inventory add-site`.
"""

import csv
import sys
import unicodedata
from pathlib import Path

HEADER = (
    "# {what}. Generated from the province's official list, then maintained by hand\n"
    "# and by `provdc inventory add-site`. Names are kept exactly (UTF-8, NFC).\n"
)

# Districts whose communes run the carrier's Juniper CPE instead of Cisco (planning assumption).
JUNIPER_DISTRICTS = {"290", "292"}
# Urban wards get a faster link and a camera VLAN (smart-city cameras).
URBAN = {"phuong", "thi-tran"}


def q(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def main(data: Path, out: Path) -> None:
    units = list(csv.DictReader((data / "hai-duong-admin-units.csv").open(encoding="utf-8")))
    agencies = list(csv.DictReader((data / "provincial-agencies.csv").open(encoding="utf-8")))
    nfc = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731

    lines = [HEADER.format(what="Provincial agencies on the special-purpose data network"), "agencies:\n"]
    for number, a in enumerate(agencies, start=1):
        lines.append(
            f"  - code: {a['code']}\n    number: {number}\n    name: {q(nfc(a['name']))}\n"
            f"    group: {a['group']}\n    circuit_id: VNPT-HDG-AG{number:02d}\n"
        )
    (out / "agencies.yml").write_text("".join(lines), encoding="utf-8")

    lines = [HEADER.format(what="Districts, towns and cities of Hải Dương"), "districts:\n"]
    for u in units:
        if u["level"] == "district":
            lines.append(
                f'  - code: "{u["code"]}"\n    name: {q(nfc(u["name"]))}\n'
                f"    type: {u['type']}\n    circuit_id: VNPT-HDG-D{u['code']}\n"
            )
    (out / "districts.yml").write_text("".join(lines), encoding="utf-8")

    lines = [HEADER.format(what="Communes, wards and towns of Hải Dương"), "communes:\n"]
    for u in units:
        if u["level"] != "commune":
            continue
        urban = u["type"] in URBAN
        entry = (
            f'  - code: "{u["code"]}"\n    name: {q(nfc(u["name"]))}\n    type: {u["type"]}\n'
            f'    district: "{u["parent_code"]}"\n    circuit_id: VNPT-HDG-C{u["code"]}\n'
            f"    bandwidth_mbps: {40 if urban else 20}\n"
        )
        if urban:
            entry += "    camera: true\n"
        if u["parent_code"] in JUNIPER_DISTRICTS:
            entry += "    platform: juniper_junos\n    model: SRX300\n"
        lines.append(entry)
    (out / "communes.yml").write_text("".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
