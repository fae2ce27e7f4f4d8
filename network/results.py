"""Per-device results and the machine-readable report (`--report FILE`, `--format json`).

{"devices": [{"name", "site", "result", "reason", "diff", ...}], "summary": {...}}. No secret ever
reaches a result: diffs are redacted of every value the run filled in.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provdc.core.files import write_file
from provdc.network.errors import Reason

PUSH_RESULTS = ("unchanged", "changed", "failed", "rolled_back", "skipped")
COMPLIANCE_RESULTS = ("compliant", "drifted", "unreachable")
# A push's phases per device, in order; `restore` only when a change is undone.
PHASES = (
    "connect",
    "getters",
    "get_config",
    "load",
    "compare",
    "backup",
    "commit",
    "gate",
    "confirm",
    "restore",
)


@dataclass
class DeviceResult:
    name: str
    site: str
    result: str  # one of PUSH_RESULTS or COMPLIANCE_RESULTS
    reason: Reason | None = None
    detail: str = ""
    diff: str = ""
    seconds: float = 0.0
    wave: int | None = None
    restored: bool | None = None  # failed devices: back at their pre-change config (checked)
    gate: dict[str, Any] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase (PHASES), as measured

    def add_phase(self, phase: str, seconds: float) -> None:
        self.phases[phase] = self.phases.get(phase, 0.0) + seconds

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "site": self.site,
            "result": self.result,
            "reason": self.reason,
            "detail": self.detail,
            "diff": self.diff,
            "seconds": round(self.seconds, 3),
        }
        if self.wave is not None:
            out["wave"] = self.wave
        if self.restored is not None:
            out["restored"] = self.restored
        if self.gate:
            out["gate"] = self.gate
        if self.phases:
            out["phases"] = {p: round(self.phases[p], 3) for p in PHASES if p in self.phases}
        return out


def report(results: list[DeviceResult], **summary: Any) -> dict[str, Any]:
    counts = Counter(r.result for r in results)
    return {
        "devices": [r.as_json() for r in results],
        "summary": {"total": len(results), **dict(sorted(counts.items())), **summary},
    }


def write_report(data: dict[str, Any], path: Path) -> None:
    """Written whole through a temporary file: never half a report."""
    write_file(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def redact(text: str, secrets: list[str]) -> str:
    for value in secrets:
        if value:
            text = text.replace(value, "<redacted>")
    return text
