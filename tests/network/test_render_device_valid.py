"""Each named router model gets the statements a real device needs to be reachable and managed.

For every site of the models the inventory names (ISR4321, ISR4331, C1111-4P, SRX300, MX204):
AAA (TACACS+ then the local break-glass user), SSH from the management prefix only, SNMPv3 with
the platform's own keywords, syslog to the SOC at one level, NTP, the inventory's banner; IOS keeps
the replace prerequisites; Junos lines are well-formed `set` statements and only an SRX has zones.
IOS is parsed by hier_config; expected values come from the inventory model, not the renderer.
"""

import re
import shutil
import subprocess

import pytest
from hier_config import Platform, get_hconfig

from provdc.core.errors import ProvdcError
from provdc.inventory import Inventory, Site
from provdc.inventory.platforms import PLATFORMS
from provdc.inventory.targets import DeviceAccess, SnmpAccess, Target
from provdc.network.intended import Intended
from provdc.network.render import Renderer
from provdc.network.scope import Managed
from provdc.network.sha512crypt import device_salt, sha512_crypt


def _sites(inventory: Inventory, model: str) -> list[Site]:
    sites = [s for s in inventory.sites.values() if s.router.model == model]
    assert sites, f"the inventory has no {model}"
    return sites


def _mark(ref: str, kind: str = "secret") -> str:
    return f"<<{kind}:{ref}>>"


@pytest.mark.parametrize("model", ["ISR4321", "ISR4331", "C1111-4P"])
def test_ios_model_has_every_required_statement(inventory: Inventory, model: str) -> None:
    svc = inventory.services
    aaa, snmp, syslog = svc.aaa, svc.snmp, svc.syslog
    renderer = Renderer(inventory)
    for site in _sites(inventory, model):
        text = renderer.device(site).text
        tree = get_hconfig(Platform.CISCO_IOS, text)
        top = {c.text for c in tree.children}
        required = {
            "aaa new-model",
            "aaa authentication login default group tacacs+ local",
            f"username {aaa.break_glass_user} privilege 15 algorithm-type scrypt secret "
            + _mark(aaa.break_glass_secret_ref),
            "ip ssh version 2",
            "ip scp server enable",
            "archive",
            "snmp-server group PROVDC-RO v3 priv access MGMT-ONLY",
            f"snmp-server user {snmp.user} PROVDC-RO v3 auth sha {_mark(snmp.auth_key_ref)} "
            f"priv aes 128 {_mark(snmp.priv_key_ref)} access MGMT-ONLY",
            "logging trap informational",
            f"logging host {syslog.address} transport {syslog.protocol} port {syslog.port}",
            *(f"ntp server {server}" for server in svc.ntp),
        }
        assert required <= top, (site.id, sorted(required - top))
        for n, server in enumerate(aaa.tacacs_servers, 1):
            tac = tree.get_child(equals=f"tacacs server DC-TACACS-{n}")
            assert tac is not None and tac.get_child(equals=f"address ipv4 {server}") is not None
            assert tac.get_child(equals=f"key 0 {_mark(aaa.tacacs_key_ref)}") is not None
        for vty in ("line vty 0 4", "line vty 5 15"):
            line = tree.get_child(equals=vty)
            assert line is not None, site.id
            assert {c.text for c in line.children} == {
                "access-class MGMT-ONLY in",
                "login authentication default",
                "transport input ssh",
            }
        ports = PLATFORMS["cisco_ios"].models[model]
        assert tree.get_child(equals=f"interface {ports.wan}") is not None
        assert all(lan.startswith(ports.lan + ".") for lan in _sub_interfaces(text))
        assert "\n".join(svc.banner) in text


def _sub_interfaces(text: str) -> list[str]:
    return re.findall(r"^interface (\S+\.\d+)$", text, flags=re.M)


CRYPT = "secret-sha512crypt"
INBOUND = "host-inbound-traffic"
JUNOS_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[^\s"]+')


def _junos_statements(text: str) -> set[str]:
    """Every line a `set` statement of whole tokens: quotes closed, brackets paired, no braces."""
    out = set()
    for line in filter(None, text.splitlines()):
        assert line.startswith("set "), line
        tokens = JUNOS_TOKEN.findall(line)
        assert " ".join(tokens) == line, f"stray quote or space in {line!r}"
        bare = [t for t in tokens if not t.startswith('"')]
        assert not any(set(t) & set('{};"\\') for t in bare), line
        assert bare.count("[") == bare.count("]"), line
        out.add(line)
    return out


@pytest.mark.parametrize("model", ["SRX300", "MX204"])
def test_junos_model_has_every_required_hierarchy(inventory: Inventory, model: str) -> None:
    svc = inventory.services
    aaa, snmp, syslog = svc.aaa, svc.snmp, svc.syslog
    renderer = Renderer(inventory)
    ports = PLATFORMS["juniper_junos"].models[model]
    for site in _sites(inventory, model):
        text = renderer.device(site).text
        lines = _junos_statements(text)
        user = f"set system login user {aaa.break_glass_user}"
        required = {
            "set system authentication-order [ tacplus password ]",
            *(
                f'set system tacplus-server {s} secret "{_mark(aaa.tacacs_key_ref)}"'
                for s in aaa.tacacs_servers
            ),
            f"{user} class super-user",
            "set system login user remote class read-only",
            "set system login user remote-admin class super-user",
            f'{user} authentication encrypted-password "{_mark(aaa.break_glass_secret_ref, CRYPT)}"',
            "set system services netconf ssh",
            "set system services ssh protocol-version v2",
            f"set snmp v3 usm local-engine user {snmp.user} authentication-sha authentication-password "
            f'"{_mark(snmp.auth_key_ref)}"',
            f"set snmp v3 usm local-engine user {snmp.user} privacy-aes128 privacy-password "
            f'"{_mark(snmp.priv_key_ref)}"',
            f"set system syslog host {syslog.address} any info",
            f"set system syslog host {syslog.address} port {syslog.port}",
            f"set system syslog host {syslog.address} transport {syslog.protocol}",
            *(f"set system ntp server {server}" for server in svc.ntp),
            *(f"set policy-options prefix-list MGMT-ONLY {m}" for m in svc.management_networks),
            "set firewall family inet filter PROTECT-RE term mgmt from destination-port [ ssh 830 snmp ]",
            "set firewall family inet filter PROTECT-RE term no-mgmt then discard",
            "set interfaces lo0 unit 0 family inet filter input PROTECT-RE",
            f"set interfaces {ports.wan} unit 0 family inet address {site.wan.ce_address}/30",
        }
        assert required <= lines, (site.id, sorted(required - lines))
        assert "authentication-key" not in text and "plain-text-password" not in text
        assert "\\n".join(svc.banner) in text
        zoned = {line.split()[6] for line in lines if line.startswith("set security zones security-zone ")}
        if model == "SRX300":
            used = {f"{ports.wan}.0", "lo0.0"} | {f"{ports.lan}.{lan.vlan}" for lan in site.lans}
            assert zoned == used, site.id
            assert any(" policy LAN-TO-DC then permit" in line for line in lines)
            assert "set security policies default-policy deny-all" in lines
            bgp = f"set security zones security-zone untrust interfaces {ports.wan}.0 {INBOUND} protocols bgp"
            assert (bgp in lines) == (site.wan.routing == "bgp")
        else:
            assert not any(line.startswith("set security ") for line in lines), site.id


def test_junos_grammar_check_can_fail() -> None:
    with pytest.raises(AssertionError):
        _junos_statements('set system login message "open\n')
    with pytest.raises(AssertionError):
        _junos_statements("set system authentication-order [ tacplus password\n")


def test_syslog_same_level_on_every_vendor(inventory: Inventory) -> None:
    """IOS `informational` is Junos `info`: severity 6 on both."""
    renderer = Renderer(inventory)
    site = inventory.sites["com-11293"]
    assert "logging trap informational" in renderer.feature(site, "syslog", "cisco_ios")
    assert " any info\n" in renderer.feature(site, "syslog", "juniper_junos") + "\n"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl gives the reference hash")
@pytest.mark.parametrize(
    ("secret", "salt"), [("hunter2", "saltsalt"), ('Mật khẩu "x"!', "Zz./"), ("x" * 80, "0123456789abcdef")]
)
def test_sha512_crypt_matches_openssl(secret: str, salt: str) -> None:
    run = subprocess.run(
        ["openssl", "passwd", "-6", "-salt", salt, "-stdin"], input=secret, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert sha512_crypt(secret, salt) == run.stdout.strip()


def test_device_salt_fixed_per_device_and_secret() -> None:
    salt = device_salt("s3cret", "ce-11293-hong-phong")
    assert salt == device_salt("s3cret", "ce-11293-hong-phong")
    assert salt != device_salt("s3cret", "ce-10507-cam-thuong")
    assert salt != device_salt("other", "ce-11293-hong-phong")
    assert re.fullmatch(r"[./0-9A-Za-z]{16}", salt)


def _target(monkeypatch: pytest.MonkeyPatch, inventory: Inventory, tacacs_key: str) -> Target:
    aaa = inventory.services.aaa
    values = {aaa.tacacs_key_ref: tacacs_key, aaa.break_glass_secret_ref: "break-glass-1"}
    for ref, value in values.items():
        monkeypatch.setenv(ref.removeprefix("env:"), value)
    monkeypatch.setenv("R_AUTH", "auth-key-1")
    monkeypatch.setenv("R_PRIV", "priv-key-1")
    return Target(
        name="fill",
        devices=DeviceAccess(username_ref="env:R_USER", password_ref="env:R_PASS"),
        snmp=SnmpAccess(auth_key_ref="env:R_AUTH", priv_key_ref="env:R_PRIV"),
    )


def test_filled_secret_stays_inside_its_statement(
    inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quote in a secret stays in the Junos string; IOS refuses a space rather than split words."""
    site = inventory.sites["com-11293"]
    intended = Intended(inventory, _target(monkeypatch, inventory, 'k"; set system x \\'))
    junos = intended.text(Managed(site, site.router.hostname, "juniper_junos", "192.0.2.1"))
    benign = Renderer(inventory).device(site, "juniper_junos").text
    assert len(_junos_statements(junos)) == len(_junos_statements(benign))
    assert 'secret "k\\"; set system x \\\\"\n' in junos
    with pytest.raises(ProvdcError, match="holds a space"):
        intended.text(Managed(site, site.router.hostname, "cisco_ios", "192.0.2.1"))


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl gives the reference hash")
def test_push_fills_logins_ios_secret_junos_hash(
    inventory: Inventory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At push time IOS gets the secret (it hashes it with scrypt), Junos a SHA-512 crypt hash."""
    target = _target(monkeypatch, inventory, "tacacs-key-1")
    site = inventory.sites["com-11293"]
    intended = Intended(inventory, target)
    ios = intended.text(Managed(site, site.router.hostname, "cisco_ios", "192.0.2.1"))
    junos = intended.text(Managed(site, site.router.hostname, "juniper_junos", "192.0.2.1"))
    for text in (ios, junos):
        assert "<<secret" not in text
    assert "privilege 15 algorithm-type scrypt secret break-glass-1\n" in ios
    assert " key 0 tacacs-key-1\n" in ios
    assert 'secret "tacacs-key-1"\n' in junos
    assert "break-glass-1" not in junos
    hashed = re.search(r'encrypted-password "(\$6\$([^$]+)\$[^"]+)"', junos)
    assert hashed is not None
    run = subprocess.run(
        ["openssl", "passwd", "-6", "-salt", hashed.group(2), "-stdin"],
        input="break-glass-1",
        capture_output=True,
        text=True,
    )
    assert run.stdout.strip() == hashed.group(1)
    assert hashed.group(1) in intended.filled  # redacted from diffs and reports
