"""The one platform table: every model the inventory names, with its vendor's port names, and no
other list of platforms anywhere in the package.

Expected port names are written here from the vendors' hardware guides, as the NetBox device-type
library lists them (Cisco ISR4321/ISR4331/C1111-4P, Juniper SRX300/MX204), not read from the table.
"""

import ast
from pathlib import Path
from typing import get_args

import pytest
import yaml

from provdc.inventory import check_inventory, default_inventory_path, load_inventory, schema
from provdc.inventory.platforms import PLATFORMS, ModelPorts, Platform, platform_named

PACKAGE = Path(__file__).resolve().parents[2]
AREAS = ("cli", "core", "inventory", "network", "monitoring", "stacks", "lab", "roles")
TABLE = PACKAGE / "inventory" / "platforms.py"
# The lists of platforms each module used to keep (render, connect, export_ansible, context).
OLD_LISTS = {"FEATURES", "SUFFIX", "NAPALM_NAMES", "NETWORK_OS", "PLATFORMS"}

# model: (onboard routed ports, onboard L2 switch ports), from the vendors' port layouts.
VENDOR_PORTS: dict[str, tuple[set[str], set[str]]] = {
    "ISR4321": ({"GigabitEthernet0/0/0", "GigabitEthernet0/0/1"}, set()),
    "ISR4331": ({"GigabitEthernet0/0/0", "GigabitEthernet0/0/1", "GigabitEthernet0/0/2"}, set()),
    "C1111-4P": (
        {"GigabitEthernet0/0/0", "GigabitEthernet0/0/1"},
        {"GigabitEthernet0/1/0", "GigabitEthernet0/1/1", "GigabitEthernet0/1/2", "GigabitEthernet0/1/3"},
    ),
    "SRX300": ({f"ge-0/0/{n}" for n in range(8)}, set()),
    "MX204": ({f"et-0/0/{n}" for n in range(4)} | {f"xe-0/1/{n}" for n in range(8)}, set()),
    # the lab's FRR router: a veth to its PE and the LAN bridge (lab/plumbing.py)
    "Debian-12-FRR": ({"wan0", "lan0"}, set()),
}


def _shipped_router_models() -> set[tuple[str, str]]:
    """(platform, model) of every router the shipped files name, read with plain PyYAML."""
    pairs: set[tuple[str, str]] = set()
    root = default_inventory_path()
    for path in sorted(root.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        defaults = data.get("site_defaults", {})
        for default in defaults.values():
            pairs.add((default["platform"], default["model"]))
        for section in ("datacenters", "agencies", "districts", "communes"):
            for entry in data.get(section, []):
                if "platform" in entry or "model" in entry:
                    kind = {"agencies": "agency", "districts": "district", "communes": "commune"}.get(section)
                    fallback = defaults.get(kind, {}) if kind else {}
                    pairs.add(
                        (
                            entry.get("platform", fallback.get("platform")),
                            entry.get("model", fallback.get("model")),
                        )
                    )
    return pairs


def test_table_and_literal_name_the_same_platforms() -> None:
    assert set(PLATFORMS) == set(get_args(Platform)) == {"frr", "cisco_ios", "juniper_junos"}
    assert get_args(schema.SiteDefaultsIn.model_fields["platform"].annotation) == get_args(Platform)
    for name, spec in PLATFORMS.items():
        assert spec.name == name
        assert spec.stand_in in spec.models


def test_every_model_of_the_shipped_inventory_has_an_entry() -> None:
    pairs = _shipped_router_models()
    assert {m for _, m in pairs} >= {"ISR4321", "ISR4331", "C1111-4P", "SRX300", "MX204", "Debian-12-FRR"}
    for name, model in pairs:
        platform = platform_named(name)
        assert platform is not None, name
        assert model in PLATFORMS[platform].models, f"{platform} {model}"


@pytest.mark.parametrize("model", sorted(VENDOR_PORTS))
def test_ports_are_the_vendors(model: str) -> None:
    ports: ModelPorts = next(s.models[model] for s in PLATFORMS.values() if model in s.models)
    routed, switched = VENDOR_PORTS[model]
    assert set(ports.routed) == routed
    assert set(ports.switched) == switched
    assert ports.wan in routed and ports.lan in routed and ports.wan != ports.lan


def test_a_port_that_is_not_routed_is_refused() -> None:
    with pytest.raises(ValueError, match="GigabitEthernet0/1/0 is not a routed port"):
        ModelPorts("GigabitEthernet0/0/0", "GigabitEthernet0/1/0", ("GigabitEthernet0/0/0",))


def test_routers_get_their_models_ports() -> None:
    inv = load_inventory()
    dc, commune = inv.sites["dc"], inv.sites["com-11293"]
    assert (dc.router.model, dc.wan.interface, dc.lan_interface) == ("MX204", "xe-0/1/0", "et-0/0/0")
    assert (commune.router.model, commune.lan_interface) == ("C1111-4P", "GigabitEthernet0/0/1")
    for site in inv.sites.values():
        routed, switched = VENDOR_PORTS[site.router.model]
        assert {site.wan.interface, site.lan_interface} <= routed, site.id
        assert site.lan_interface not in switched


def test_an_unknown_model_is_one_line_at_its_site(inventory_copy: Path) -> None:
    path = inventory_copy / "communes.yml"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip() == "model: SRX300")
    lines[first] = lines[first].replace("SRX300", "SRX9999")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    site_line = max(i for i in range(first) if lines[i].startswith("  - code:")) + 1
    result = check_inventory(inventory_copy)
    assert [(p.line, p.code) for p in result.problems] == [(site_line, "reference")]
    assert "SRX9999" in result.problems[0].message and "SRX300" in result.problems[0].message


def _platform_lists(tree: ast.AST) -> list[int]:
    """Lines of a tuple, list, set or dict written in the source that names two or more platforms."""
    names = set(PLATFORMS)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items: list[ast.expr | None] = list(node.elts)
        elif isinstance(node, ast.Dict):
            items = list(node.keys)
        else:
            continue
        hits = [i for i in items if isinstance(i, ast.Constant) and i.value in names]
        if len(hits) >= 2:
            found.append(node.lineno)
    return found


def test_no_other_list_of_platforms_or_port_names() -> None:
    port_names = {p for spec in PLATFORMS.values() for m in spec.models.values() for p in m.routed}
    offenders = []
    for area in AREAS:
        for path in sorted((PACKAGE / area).rglob("*.py")):
            if path == TABLE:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            offenders += [
                f"{path.relative_to(PACKAGE)}:{n}: a list of platforms" for n in _platform_lists(tree)
            ]
            offenders += [
                f"{path.relative_to(PACKAGE)}:{node.lineno}: {target.id}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Assign | ast.AnnAssign)
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(target, ast.Name) and target.id in OLD_LISTS
            ]
            offenders += [
                f"{path.relative_to(PACKAGE)}:{node.lineno}: port name {node.value!r}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and node.value in port_names
            ]
    assert offenders == []
