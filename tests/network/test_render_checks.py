"""Every site in every platform renders, parses, and says what the inventory says.

Expected values are recomputed here from the model with `ipaddress`, not taken from the renderer;
FRR output is checked by FRR's own parser (`vtysh --dryrun`), Cisco and Junos by hier_config.
"""

import shutil
import subprocess
import unicodedata
from ipaddress import IPv4Network
from pathlib import Path

import pytest
from hier_config import Platform, get_hconfig

from provdc.inventory import Inventory
from provdc.inventory.platforms import PLATFORMS
from provdc.network.context import site_ports
from provdc.network.render import Rendered, render_sites


@pytest.fixture(scope="module")
def rendered(inventory: Inventory) -> dict[str, list[Rendered]]:
    sites = list(inventory.sites.values())
    return {p: render_sites(inventory, sites, p) for p in PLATFORMS}


def test_every_site_every_platform(inventory: Inventory, rendered: dict[str, list[Rendered]]) -> None:
    for configs in rendered.values():
        assert [c.hostname for c in configs] == [s.router.hostname for s in inventory.sites.values()]
        for cfg in configs:
            assert cfg.text == unicodedata.normalize("NFC", cfg.text)
            assert "Hải Dương" in cfg.text  # the legal banner, Vietnamese kept exactly
            assert "\t" not in cfg.text and cfg.text.endswith("\n")


def test_no_secret_value_only_references(inventory: Inventory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVDC_SNMP_AUTH_KEY", "auth-key-must-not-leak")
    monkeypatch.setenv("PROVDC_SNMP_PRIV_KEY", "priv-key-must-not-leak")
    aaa = inventory.services.aaa
    for ref in (aaa.tacacs_key_ref, aaa.break_glass_secret_ref):
        monkeypatch.setenv(ref.removeprefix("env:"), f"{ref}-must-not-leak")
    site = inventory.sites["com-11293"]
    for platform in ("cisco_ios", "juniper_junos"):
        text = render_sites(inventory, [site], platform)[0].text
        assert "must-not-leak" not in text
        assert f"<<secret:{inventory.services.snmp.auth_key_ref}>>" in text
        assert f"<<secret:{inventory.services.snmp.priv_key_ref}>>" in text
        assert f"<<secret:{aaa.tacacs_key_ref}>>" in text
    ios = render_sites(inventory, [site], "cisco_ios")[0].text
    junos = render_sites(inventory, [site], "juniper_junos")[0].text
    assert f"<<secret:{aaa.break_glass_secret_ref}>>" in ios
    assert f"<<secret-sha512crypt:{aaa.break_glass_secret_ref}>>" in junos


def test_cisco_parses_and_matches_model(inventory: Inventory, rendered: dict[str, list[Rendered]]) -> None:
    for cfg in rendered["cisco_ios"]:
        site = cfg.site
        wan_if, lan_if = site_ports(site, "cisco_ios")
        tree = get_hconfig(Platform.CISCO_IOS, cfg.text)
        wan = tree.get_child(equals=f"interface {wan_if}")
        assert wan is not None, cfg.hostname
        net = IPv4Network(site.wan.network)
        ce = next(net.hosts())
        assert wan.get_child(equals=f"ip address {ce} {net.netmask}") is not None
        bgp = tree.get_child(equals=f"router bgp {site.router.asn}")
        assert bgp is not None
        pe = list(net.hosts())[1]
        assert bgp.get_child(startswith=f"neighbor {pe} remote-as") is not None
        for lan in site.lans:
            sub = tree.get_child(equals=f"interface {lan_if}.{lan.vlan}")
            assert sub is not None and sub.get_child(equals=f"encapsulation dot1Q {lan.vlan}") is not None
        banners = [c for c in tree.children if c.text.startswith("banner login")]
        assert len(banners) == 1 and banners[0].text.endswith("^C")
        acl = tree.get_child(equals="ip access-list standard MGMT-ONLY")
        assert acl is not None
        # hier_config numbers ACL entries as IOS shows them: "10 permit ..."
        permits = [c.text.split(" ", 1)[1] for c in acl.children if " permit " in f" {c.text}"]
        mgmt = inventory.services.management_networks
        assert permits == [f"permit {m.network_address} {m.hostmask}" for m in mgmt]


def test_junos_parses_and_matches_model(inventory: Inventory, rendered: dict[str, list[Rendered]]) -> None:
    for cfg in rendered["juniper_junos"]:
        site = cfg.site
        lines = [line for line in cfg.text.splitlines() if line]
        assert all(line.startswith("set ") for line in lines), cfg.hostname
        assert all(line.count('"') % 2 == 0 for line in lines)
        tree = get_hconfig(Platform.JUNIPER_JUNOS, cfg.text)
        texts = {c.text for c in tree.all_children()}
        net = IPv4Network(site.wan.network)
        wan_if = site_ports(site, "juniper_junos")[0]
        assert f"set interfaces {wan_if} unit 0 family inet address {next(net.hosts())}/30" in texts
        assert f"set routing-options autonomous-system {site.router.asn}" in texts
        assert f"set protocols bgp group PE neighbor {list(net.hosts())[1]} description " in "\n".join(texts)


def test_qos_gives_video_priority_within_share(inventory: Inventory) -> None:
    for site in inventory.sites.values():
        text = render_sites(inventory, [site], "cisco_ios")[0].text
        limit = site.wan.bandwidth_mbps * 1000 * inventory.services.vc_max_link_share
        wanted = site.vc_endpoints * inventory.services.vc_kbps_per_endpoint
        if wanted:
            assert f"  priority {int(min(wanted, limit))}\n" in text
        assert "match dscp ef af41" in text


FRR_SAMPLE = ("dr", "dc", "ag-vpubnd", "dist-288", "com-11293", "com-10507")


@pytest.mark.skipif(shutil.which("vtysh") is None, reason="FRR is installed by scripts/setup.sh")
@pytest.mark.parametrize("site", FRR_SAMPLE)
def test_frr_accepted_by_vtysh_dryrun(inventory: Inventory, site: str, tmp_path: Path) -> None:
    cfg = render_sites(inventory, [inventory.sites[site]], "frr")[0]
    path = tmp_path / cfg.filename
    path.write_text(cfg.text, encoding="utf-8")
    result = subprocess.run(["vtysh", "--dryrun", "-f", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("vtysh") is None, reason="FRR is installed by scripts/setup.sh")
def test_vtysh_dryrun_rejects_a_broken_line(inventory: Inventory, tmp_path: Path) -> None:
    """The check above can fail: one mistyped command and vtysh says so."""
    cfg = render_sites(inventory, [inventory.sites["dr"]], "frr")[0]
    path = tmp_path / "broken.conf"
    path.write_text(cfg.text.replace(" ip address", " ip adress-of", 1), encoding="utf-8")
    result = subprocess.run(["vtysh", "--dryrun", "-f", str(path)], capture_output=True, text=True)
    assert result.returncode != 0
