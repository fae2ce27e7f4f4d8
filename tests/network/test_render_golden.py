"""Golden files: every feature × platform for fixed sites, compared line for line.

Regenerate after a deliberate template change with PROVDC_UPDATE_GOLDEN=1, then review the diff.
"""

import dataclasses
import os
from pathlib import Path

import pytest

from provdc.inventory import Inventory
from provdc.inventory.platforms import PLATFORMS
from provdc.network.render import Renderer

GOLDEN = Path(__file__).parent / "golden"
# A commune (the common case), a district, and the DR (its only FRR router), each in every platform.
SITES = ("com-11293", "dist-288", "dr")
CASES = [(p, f, s) for p, spec in PLATFORMS.items() for f in spec.features for s in SITES]


def _check(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PROVDC_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden file {path}: run with PROVDC_UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("platform", "feature", "site"), CASES, ids=["-".join(c) for c in CASES])
def test_feature(inventory: Inventory, platform: str, feature: str, site: str) -> None:
    text = Renderer(inventory).feature(inventory.sites[site], feature, platform)
    _check(f"{platform}/{feature}/{site}.txt", text)


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_static_routing(inventory: Inventory, platform: str) -> None:
    site = inventory.sites["com-11293"]
    static = dataclasses.replace(site, wan=dataclasses.replace(site.wan, routing="static"))
    text = Renderer(inventory).feature(static, "routing", platform)
    _check(f"{platform}/routing/com-11293-static.txt", text)
    assert "bgp" not in text.replace("SITE-OUT", "")
