"""Validation results as text, JSON and JUnit XML (for the province's CI)."""

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from provdc.core.text import printable
from provdc.inventory.loader import LoadResult

# Characters XML 1.0 cannot hold at all, even escaped: shown as \x1b-style escapes instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: printable(m.group()), text)


def as_json(result: LoadResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "errors": [
            {"file": p.file, "line": p.line, "code": p.code, "message": p.message} for p in result.problems
        ],
        "summary": result.inventory.summary() if result.inventory else {},
    }


def as_json_text(result: LoadResult) -> str:
    return json.dumps(as_json(result), ensure_ascii=False, indent=2)


def as_text(result: LoadResult) -> str:
    lines = [printable(str(p)) for p in result.problems]
    if result.inventory is not None and result.ok:
        s = result.inventory.summary()
        lines.append(
            f"ok: {result.path}: {s['sites']} sites ({s['commune_sites']} communes, "
            f"{s['district_sites']} districts, {s['agency_sites']} agencies, DC, DR), "
            f"{s['devices']} devices, {s['vms']} VMs"
        )
    else:
        lines.append(printable(f"invalid: {len(result.problems)} problem(s) in {result.path}"))
    return "\n".join(lines)


def as_junit(result: LoadResult) -> str:
    """One test case per inventory file (plus one for checks across files), failures per problem."""
    by_file: dict[str, list[str]] = {}
    for p in result.problems:
        by_file.setdefault(p.file if p.line else "inventory", []).append(str(p))
    suite = ET.Element(
        "testsuite", name="provdc.inventory", tests="0", failures=str(len(result.problems)), errors="0"
    )
    names = sorted(set(result.files) | set(by_file) | {"inventory"})
    for name in names:
        case = ET.SubElement(suite, "testcase", classname="provdc.inventory.validate", name=_xml_text(name))
        for message in by_file.get(name, []):
            ET.SubElement(case, "failure", message=printable(message)).text = _xml_text(message)
    suite.set("tests", str(len(names)))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)
