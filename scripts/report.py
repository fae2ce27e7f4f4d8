#!/usr/bin/env python3
"""The main job's closing report: one line per step, from the JSON reports the steps wrote.

report.py state/reports
"""

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

STEPS = ["inventory", "lab", "stack", "hosts", "hosts-verify", "net", "net-compliance", "monitor"]


def _counts(items: list[dict[str, Any]], key: str) -> str:
    return ", ".join(f"{n} {k}" for k, n in sorted(Counter(str(i.get(key)) for i in items).items()))


def line(step: str, data: Any) -> str:
    """What a person wants to know of one step, in a few words."""
    if not isinstance(data, dict):
        return "no report"
    if step == "lab":
        return f"{len(data['nodes'])} nodes: {_counts(data['nodes'], 'state')}; services: " + (
            ", ".join(data.get("services", {})) or "none"
        )
    if step == "hosts":
        return f"{len(data['hosts'])} hosts: {_counts(data['hosts'], 'status')}"
    if step in ("net", "net-compliance", "monitor", "hosts-verify", "inventory") and "summary" in data:
        return ", ".join(f"{k} {v}" for k, v in data["summary"].items() if not isinstance(v, dict | list))
    if step == "stack":
        changes = ", ".join(f"{op} {n}" for op, n in data.get("changes", {}).items() if n)
        count = len(data["resources"])
        return f"{data['stack']} on {data['target']}: {count} resources ({changes or 'no change'})"
    return ", ".join(sorted(data))


def main(folder: Path) -> int:
    width = max(map(len, STEPS))
    for step in STEPS:
        path = folder / f"{step}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        print(f"{step:<{width}}  {line(step, data)}")
    print(f"reports: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
