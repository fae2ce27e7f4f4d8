"""Merging a second province into the shipped one, as the command line does it.

The second province is made here from a copy of the shipped files: its own codes (districts +15,
communes +1000, as Hải Phòng's codes follow Hải Dương's), its own pools, ASNs and PEs. Expected
addresses are those the second inventory gives on its own, loaded separately.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from provdc.inventory import default_inventory_path, load_inventory

ADDRESS_EDITS = {
    "10.32.0.0/15": "10.34.0.0/15",
    "10.30.": "10.31.",
    "100.127.30.": "100.127.31.",
    "4200030000": "4200032000",
}


def _second_province(dest: Path, edits: dict[str, str]) -> Path:
    shutil.copytree(default_inventory_path(), dest)
    for path in dest.rglob("*.yml"):
        text = path.read_text("utf-8")
        for old, new in edits.items():
            text = text.replace(old, new)
        text = text.replace("pe-hdg-", "pe-hpg-").replace("HDG", "HPG")
        # no video-conference endpoints: one DC's MCU link cannot carry two provinces' (a check refuses it)
        text = re.sub(r"vc_endpoints: [0-9]+", "vc_endpoints: 0", text)
        text = text.replace('code: "30"', 'code: "31"').replace(
            'name: "Hải Dương"\n  timezone', 'name: "Hải Phòng"\n  timezone'
        )
        text = re.sub(r'(code|district): "(\d{3})"', lambda m: f'{m[1]}: "{int(m[2]) + 15}"', text)
        text = re.sub(r'code: "(1\d{4})"', lambda m: f'code: "{int(m[1]) + 1000}"', text)
        text = re.sub(
            r"-([CD])(\d+)\b", lambda m: f"-{m[1]}{int(m[2]) + (1000 if m[1] == 'C' else 15)}", text
        )
        text = text.replace("district_code_base: 288", "district_code_base: 303")
        text = text.replace("commune_code_base: 10500", "commune_code_base: 11500")
        path.write_text(text, "utf-8")
    return dest


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "provdc", *args], capture_output=True, text=True, timeout=300
    )


def test_two_provinces_merge_and_no_address_moves(tmp_path: Path) -> None:
    second = _second_province(tmp_path / "hai-phong", ADDRESS_EDITS)
    out = tmp_path / "merged"
    run = _cli("inventory", "merge", str(default_inventory_path()), str(second), "--out", str(out))
    assert run.returncode == 0, run.stderr
    run = _cli("inventory", "validate", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    a, b, merged = load_inventory(default_inventory_path()), load_inventory(second), load_inventory(out)
    wan_b = [s for s in b.sites.values() if s.kind in ("district", "commune")]
    assert len(merged.sites) == len(a.sites) + len(wan_b) == 270 + 247
    for source in (a.sites.values(), wan_b):
        for site in source:
            now = merged.sites[site.id]
            assert (now.router.loopback, now.router.asn, now.wan.network, now.router.hostname) == (
                site.router.loopback,
                site.router.asn,
                site.wan.network,
                site.router.hostname,
            ), site.id
            assert [(x.vlan, x.network) for x in now.lans] == [(x.vlan, x.network) for x in site.lans]
    assert {"pe-hpg-1", "pe-hpg-2", "pe-hdg-1", "pe-hdg-2"} <= set(merged.provider_edges)


@pytest.mark.parametrize(
    ("keep", "named"),
    [
        ("10.32.0.0/15", "ipam.commune_lans 10.32.0.0/15 overlaps Hải Dương ipam.commune_lans 10.32.0.0/15"),
        ("4200030000", "ASN 4200030064 of Hải Phòng dist-303 is Hải Dương dist-288's"),
    ],
)
def test_overlapping_plans_are_refused_with_the_overlaps_named(tmp_path: Path, keep: str, named: str) -> None:
    edits = {k: v for k, v in ADDRESS_EDITS.items() if k != keep}  # one thing stays Hải Dương's
    second = _second_province(tmp_path / "hai-phong", edits)
    assert load_inventory(second).province.code == "31"  # valid on its own
    out = tmp_path / "merged"
    run = _cli("inventory", "merge", str(default_inventory_path()), str(second), "--out", str(out))
    assert run.returncode == 1
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    assert "merge refused" in run.stderr and named in run.stderr, run.stderr
    assert not out.exists()
