"""Hostile strings in a model built in code (no schema) never add or split a config statement.

Each platform's render with hostile free text is parsed by a real parser (vtysh --dryrun and its
context marker for FRR, hier_config for IOS, a grammar check of Junos `set` lines) and compared
with the same render from benign strings: same lines, same statements; only the text differs.
Identifiers printed unquoted (host and interface names, the SNMP user, secret references) stop
the render instead.
"""

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest
from hier_config import Platform, get_hconfig
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provdc.core.errors import ProvdcError
from provdc.inventory.model import Inventory
from provdc.network.render import Renderer

SITE = "com-11293"
BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
NASTY = BREAKS + "\t\x00\x1b\x7f\u200b\u200e\u202e\ufeff\"'\\;{}#!^?[]$`"
JINJA = [
    "{{ 7*7 }}",
    "{% raw %}",
    "{#",
    "\nline vty 0 4\n no access-class MGMT-ONLY in",
    '" ; set system login user evil class super-user ; "',
]
hostile = st.lists(
    st.one_of(
        st.text(alphabet=NASTY + "aĐđÀạ ", max_size=20),
        st.sampled_from(JINJA),
        st.text(max_size=8),  # any code point at all
    ),
    min_size=1,
    max_size=6,
).map(lambda parts: "X" + "".join(parts))

# Lines whose end is free text, per platform; Junos strings are masked by its tokenizer instead.
FREE_TEXT = {
    "frr": re.compile(r"^( description | neighbor \S+ description |banner motd line )"),
    "cisco_ios": re.compile(r"^( description | neighbor \S+ description |snmp-server location )"),
}


def _model(inv: Inventory, text: str) -> tuple[Inventory, object]:
    """The inventory and the site with every free-text field the templates print set to `text`."""
    site = inv.sites[SITE]
    pe = inv.provider_edges[site.wan.pe]
    site = dataclasses.replace(
        site,
        id=text,
        name=text,
        wan=dataclasses.replace(site.wan, circuit_id=text, carrier=text),
        lans=tuple(dataclasses.replace(lan, role=text) for lan in site.lans),  # type: ignore[arg-type]
    )
    inv = dataclasses.replace(
        inv, provider_edges={**inv.provider_edges, site.wan.pe: dataclasses.replace(pe, name=text)}
    )
    return inv, site


def _render(inv: Inventory, text: str, platform: str) -> str:
    model, site = _model(inv, text)
    return Renderer(model).device(site, platform).text  # type: ignore[arg-type]


def _masked(platform: str, text: str) -> list[str]:
    lines = text.splitlines()
    out, in_banner = [], False
    for line in lines:
        if platform == "cisco_ios" and in_banner and line != "^C":
            out.append("<banner>")
            continue
        in_banner = (in_banner or line == "banner login ^C") and line != "^C"
        m = FREE_TEXT[platform].match(line) if platform in FREE_TEXT else None
        out.append(m.group(1) + "<text>" if m else line)
    return out


JUNOS_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[^\s"]+')


def _junos_statements(text: str) -> list[list[str]]:
    """Junos `set` lines as token lists (quoted strings as <q>); fails on anything else."""
    statements = []
    for line in filter(None, text.splitlines()):  # blank lines part features
        assert line.startswith("set "), line
        tokens, at = [], 0
        while at < len(line):
            if line[at] == " ":
                at += 1
                continue
            m = JUNOS_TOKEN.match(line, at)
            assert m, f"unbalanced quote in {line!r}"
            tokens.append(m.group())
            at = m.end()
        assert all(t.startswith('"') or not set(t) & set('"\\;{}') for t in tokens), line
        assert tokens.count("[") == tokens.count("]"), line
        statements.append(["<q>" if t.startswith('"') else t for t in tokens])
    return statements


def _frr_contexts(path: Path) -> list[str]:
    run = subprocess.run(["vtysh", "--dryrun", "-f", str(path)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stdout + run.stderr
    marked = subprocess.run(["vtysh", "-m", "-f", str(path)], capture_output=True, text=True, timeout=30)
    assert marked.returncode == 0, marked.stderr
    return [line for line in marked.stdout.splitlines() if not line.startswith(" ")]


@pytest.fixture(scope="module")
def benign(inventory: Inventory) -> dict[str, str]:
    return {p: _render(inventory, "Xbenign", p) for p in ("frr", "cisco_ios", "juniper_junos")}


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(text=hostile)
def test_ios_statements_unchanged(inventory: Inventory, benign: dict[str, str], text: str) -> None:
    out = _render(inventory, text, "cisco_ios")
    assert out.isascii() or "snmp-server location" in out  # descriptions are ASCII
    assert _masked("cisco_ios", out) == _masked("cisco_ios", benign["cisco_ios"])
    seen, want = (get_hconfig(Platform.CISCO_IOS, t) for t in (out, benign["cisco_ios"]))
    assert [_masked("cisco_ios", c.text)[0] for c in seen.children] == [
        _masked("cisco_ios", c.text)[0] for c in want.children
    ]
    assert [len(c.children) for c in seen.children] == [len(c.children) for c in want.children]


@FAST
@given(text=hostile)
def test_junos_statements_unchanged(inventory: Inventory, benign: dict[str, str], text: str) -> None:
    out = _render(inventory, text, "juniper_junos")
    assert _junos_statements(out) == _junos_statements(benign["juniper_junos"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile)
def test_frr_statements_unchanged(
    inventory: Inventory, benign: dict[str, str], text: str, tmp_path: Path
) -> None:
    out = _render(inventory, text, "frr")
    assert _masked("frr", out) == _masked("frr", benign["frr"])
    (tmp_path / "h.conf").write_text(out, encoding="utf-8")
    (tmp_path / "b.conf").write_text(benign["frr"], encoding="utf-8")
    assert len(_frr_contexts(tmp_path / "h.conf")) == len(_frr_contexts(tmp_path / "b.conf"))


def test_junos_quote_breakout_stays_in_its_string(inventory: Inventory) -> None:
    out = _render(inventory, 'C1" ; set system login user evil class super-user ; "', "juniper_junos")
    assert not any(line.startswith("set system login user evil") for line in out.splitlines())
    assert _junos_statements(out) == _junos_statements(_render(inventory, "Xbenign", "juniper_junos"))


TOKEN_FIELDS = {
    "hostname": lambda inv, site, v: (
        inv,
        dataclasses.replace(site, router=dataclasses.replace(site.router, hostname=v)),
    ),
    "wan interface": lambda inv, site, v: (
        inv,
        dataclasses.replace(site, wan=dataclasses.replace(site.wan, interface=v)),
    ),
    "lan interface": lambda inv, site, v: (inv, dataclasses.replace(site, lan_interface=v)),
    "snmp user": lambda inv, site, v: (
        dataclasses.replace(
            inv,
            services=dataclasses.replace(inv.services, snmp=dataclasses.replace(inv.services.snmp, user=v)),
        ),
        site,
    ),
    "secret ref": lambda inv, site, v: (
        dataclasses.replace(
            inv,
            services=dataclasses.replace(
                inv.services, snmp=dataclasses.replace(inv.services.snmp, auth_key_ref=v)
            ),
        ),
        site,
    ),
}


@pytest.mark.parametrize("platform", ["frr", "cisco_ios", "juniper_junos"])
@pytest.mark.parametrize("field", list(TOKEN_FIELDS))
@pytest.mark.parametrize(
    "value", ["a\nusername evil privilege 15", "a b", 'a"', "a\u2028b", "env:X\nline vty 0 4"]
)
def test_identifiers_stop_the_render(inventory: Inventory, platform: str, field: str, value: str) -> None:
    if platform == "frr" and field.startswith(("snmp", "secret")):
        pytest.skip("FRR's config holds no SNMP: the Linux host's snmpd does")
    own = next(s for s in inventory.sites.values() if s.router.platform == platform)  # its interfaces
    inv, site = TOKEN_FIELDS[field](inventory, own, value)
    with pytest.raises(ProvdcError, match="not a safe token"):
        Renderer(inv).device(site, platform)


def test_a_raw_string_cannot_be_printed(inventory: Inventory) -> None:
    """finalize: a template that forgets its filter fails instead of printing the value."""
    env = Renderer(inventory).env
    with pytest.raises(ProvdcError, match="without a quoting filter"):
        env.from_string("snmp-server location {{ name }}").render(name="Hồng Phong")
    assert env.from_string("{{ name | ios_text }}").render(name="Hồng\nPhong") == "Hồng Phong"
