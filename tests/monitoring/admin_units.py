"""The province's official list of units (the shared CSV): an independent source of names."""

from __future__ import annotations

import csv
from pathlib import Path

ADMIN_UNITS = Path("/work/shared/data/hai-duong-admin-units.csv")


def official_names() -> dict[str, str]:
    """Statistical code → the unit's official Vietnamese name (districts and communes)."""
    with ADMIN_UNITS.open(encoding="utf-8") as f:
        return {
            row["code"]: row["name"] for row in csv.DictReader(f) if row["level"] in ("commune", "district")
        }
