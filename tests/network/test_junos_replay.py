"""Junos through NAPALM's junos driver and PyEZ's own Device and Config, over a replayed NETCONF
session: only ncclient's manager (the byte stream) is replaced. Every RPC PyEZ builds is recorded
as XML and answered with Junos replies (replay/junos/README.md).

Checked, through the whole pusher and step by step: the rendered `set` config loads with
`<load-configuration action="set">` after `delete`s of its hierarchies (never `set` with
override, which PyEZ refuses), `<commit-configuration>` with
`<confirmed/>` and the timer in minutes, then the plain confirming commit; a gate failed by the WAN
going down, then `rollback 1` and commit; the backup restored as a text override; host keys
checked by ncclient against a real SSH server.
"""

import html
from pathlib import Path
from typing import Any

import pytest
from jnpr.junos import device as pyez_device  # type: ignore[import-untyped]
from lxml import etree  # type: ignore[import-untyped]
from ncclient.devices.junos import JunosDeviceHandler  # type: ignore[import-untyped]
from ncclient.operations.rpc import RPCError  # type: ignore[import-untyped]
from net_sshd import sshd

from provdc.inventory import Inventory, Site
from provdc.inventory.targets import Target
from provdc.network.candidate import confirm, junos_candidate, load_intended, revert_now
from provdc.network.connect import open_driver
from provdc.network.errors import DeviceError
from provdc.network.intended import Intended
from provdc.network.push import Pusher, PushOptions
from provdc.network.scope import Managed

REPLAY = Path(__file__).parent / "replay" / "junos"
DAY0 = (REPLAY / "day0.conf").read_text(encoding="utf-8")


def reply(name: str, **fill: object) -> etree._Element:
    """A recorded reply, its `{name}` marks filled (XML-escaped) from the device's state."""
    text = (REPLAY / name).read_text(encoding="utf-8")
    for key, value in fill.items():
        text = text.replace("{" + key + "}", html.escape(str(value)))
    return etree.fromstring(text)


def _text(name: str) -> str:
    return (REPLAY / name).read_text(encoding="utf-8")


class _Reply:
    def __init__(self, element: etree._Element) -> None:
        self._NCElement__doc = element


class _Transport:
    def set_keepalive(self, seconds: int) -> None:
        pass

    def is_active(self) -> bool:
        return True


class _Session:
    transport = _Transport()

    def add_listener(self, listener: Any) -> None:
        pass


class ReplayedJunos:
    """An SRX300 as ncclient's Manager: the committed config, the candidate, a commit-confirmed
    timer, and the XML of every RPC in the order PyEZ sent it."""

    def __init__(self, hostname: str) -> None:
        self.hostname = hostname
        self.connected = True
        self.timeout = 30
        self._session = _Session()
        self._device_handler = JunosDeviceHandler({})
        self.committed = DAY0
        self.candidate = DAY0
        self.before_pending: str | None = None
        self.pending_minutes = 0
        self.rpcs: list[etree._Element] = []
        self.unknown: list[str] = []
        self.wan_down_after_change = False

    def close_session(self) -> None:
        self.connected = False

    def rpc(self, element: etree._Element, filter_xml: Any = None) -> _Reply:
        self.rpcs.append(element)
        return _Reply(self._answer(element))

    def _answer(self, rpc: etree._Element) -> etree._Element:
        tag = rpc.tag
        if tag in ("lock-configuration", "unlock-configuration"):
            return reply("ok.xml")
        if tag == "load-configuration":
            if rpc.get("action") == "set":
                self.candidate = "set:" + (rpc.findtext("configuration-set") or "")
            elif rpc.get("action") == "override":
                self.candidate = rpc.findtext("configuration-text") or ""
            elif rpc.get("rollback") == "0":
                self.candidate = self.committed
            elif rpc.get("rollback") == "1":
                self.candidate = self.before_pending or self.committed
            return reply("load-configuration-results.xml")
        if tag == "get-configuration" and rpc.get("compare") == "rollback":
            same = self.candidate == self.committed
            return reply("compare-none.xml" if same else "compare-changed.xml", hostname=self.hostname)
        if tag == "get-configuration" and rpc.get("database") == "committed":
            text = self.committed if not self.committed.startswith("set:") else "## set config\n"
            return reply("configuration-text.xml", text=text)
        if tag == "commit-configuration":
            if rpc.find("confirmed") is not None:
                self.before_pending = self.committed
                self.pending_minutes = int(rpc.findtext("confirm-timeout") or "10")
            else:
                self.before_pending, self.pending_minutes = None, 0
            self.committed = self.candidate
            return reply("commit-results.xml")
        if tag == "get-commit-revision-information":
            if self.pending_minutes:
                return reply("commit-revision-pending.xml", minutes=self.pending_minutes)
            return reply("commit-revision-none.xml")
        if tag == "get-system-uptime-information":
            return reply("system-uptime-information.xml")
        if tag == "get-interface-information" and self.wan_down_after_change and self.committed != DAY0:
            return etree.fromstring(
                f"<rpc-reply>{_text('get-interface-information-wan-down.xml')}</rpc-reply>"
            )
        getter = REPLAY / "getters" / f"{tag}{rpc.findtext('instance') or ''}.xml"
        if getter.is_file():
            return etree.fromstring(f"<rpc-reply>{getter.read_text(encoding='utf-8')}</rpc-reply>")
        self.unknown.append(tag)
        raise RPCError(reply("rpc-error-syntax.xml", tag=tag))

    def steps(self) -> list[str]:
        """The config RPCs as `tag attr=value …` plus the children that matter."""
        out = []
        for rpc in self.rpcs:
            if rpc.tag not in ("load-configuration", "commit-configuration", "get-configuration"):
                continue
            attrs = " ".join(f"{k}={v}" for k, v in sorted(rpc.attrib.items()))
            children = " ".join(f"<{c.tag}>" for c in rpc if c.tag != "configuration-set")
            timeout = rpc.findtext("confirm-timeout")
            out.append(" ".join(p for p in (rpc.tag, attrs, children, timeout or "") if p))
        return out


@pytest.fixture
def junos_site(inventory: Inventory) -> Site:
    """A commune's SRX300, the model the recordings come from (its WAN is ge-0/0/0)."""
    return next(
        s for s in inventory.sites.values() if s.router.platform == "juniper_junos" and s.kind == "commune"
    )


@pytest.fixture
def target(replay_target: Target) -> Target:
    return replay_target


@pytest.fixture
def router(junos_site: Site, monkeypatch: pytest.MonkeyPatch) -> tuple[ReplayedJunos, list[dict[str, Any]]]:
    device = ReplayedJunos(junos_site.router.hostname)
    opened: list[dict[str, Any]] = []

    def connect(**kwargs: Any) -> ReplayedJunos:
        opened.append(kwargs)
        device.connected = True
        return device

    monkeypatch.setattr(pyez_device.netconf_ssh, "connect", connect)
    return device, opened


def _device(site: Site) -> Managed:
    return Managed(site, site.router.hostname, "juniper_junos", "192.0.2.20")


def test_set_config_loads_with_set_action_then_commit_confirmed_then_confirm(
    inventory: Inventory, junos_site: Site, target: Target, router: tuple[ReplayedJunos, list[dict[str, Any]]]
) -> None:
    device, opened = router
    text = Intended(inventory, target).text(_device(junos_site))
    driver = open_driver(_device(junos_site), target)
    load_intended(driver, "juniper_junos", text)
    assert "host-name" in driver.compare_config()
    driver.commit_config(revert_in=300)
    assert confirm(driver) is True
    driver.close()
    assert device.steps() == [
        "load-configuration action=set format=text",
        "get-configuration compare=rollback format=text rollback=0",
        "commit-configuration <confirmed> <confirm-timeout> 5",
        "commit-configuration",
    ]
    load = next(r for r in device.rpcs if r.tag == "load-configuration")
    sent = load.findtext("configuration-set") or ""
    assert sent == junos_candidate(text)
    # Each hierarchy the config sets is deleted first; what it does not render is not touched.
    lines = sent.splitlines()
    deletes = [ln for ln in lines if ln.startswith("delete ")]
    assert deletes and lines[: len(deletes)] == deletes
    assert "delete system login" not in deletes and "delete system services" not in deletes
    assert "delete interfaces" not in deletes and "delete system" not in deletes
    assert all(ln.startswith("set ") for ln in lines[len(deletes) :])
    tags = [r.tag for r in device.rpcs]
    assert tags.index("lock-configuration") < tags.index("load-configuration")
    # Host keys: ncclient verifies them against the target's known_hosts (via the ssh_config).
    assert opened[0]["hostkey_verify"] is True
    ssh_config = Path(opened[0]["ssh_config"]).read_text(encoding="utf-8")
    assert f"UserKnownHostsFile {target.devices.known_hosts}" in ssh_config


def test_failed_wave_rolls_back_the_unconfirmed_commit(
    inventory: Inventory, junos_site: Site, target: Target, router: tuple[ReplayedJunos, list[dict[str, Any]]]
) -> None:
    device, _ = router
    driver = open_driver(_device(junos_site), target)
    load_intended(driver, "juniper_junos", Intended(inventory, target).text(_device(junos_site)))
    driver.commit_config(revert_in=120)
    assert revert_now(driver) is True
    assert device.committed == DAY0 and device.pending_minutes == 0
    assert device.steps()[-2:] == ["load-configuration compare=rollback rollback=1", "commit-configuration"]


def test_backup_is_restored_as_text_override(
    junos_site: Site, target: Target, router: tuple[ReplayedJunos, list[dict[str, Any]]]
) -> None:
    device, _ = router
    driver = open_driver(_device(junos_site), target)
    backup = driver.get_config(retrieve="running")["running"]
    assert "host-name srx300;" in backup
    device.committed = device.candidate = "set:changed"
    driver.load_replace_candidate(config=backup)
    assert driver.compare_config()
    driver.commit_config()
    assert device.steps()[-3] == "load-configuration action=override format=text <configuration-text>"
    assert device.committed.strip() == DAY0.strip()


@pytest.mark.parametrize(("known", "reason"), [("other", "hostkey"), ("none", "hostkey"), ("right", "auth")])
def test_host_key_checked_by_ncclient_for_real(
    junos_site: Site, target: Target, tmp_path: Path, known: str, reason: str
) -> None:
    """A real SSH server: NAPALM's junos driver, PyEZ and ncclient, given provdc's arguments,
    refuse a changed or unknown key before logging in; the right key gets to the (refused) login."""
    import paramiko

    with sshd() as server:
        path = tmp_path / "known_hosts_real"
        lines = {"other": server.known_hosts_line(paramiko.ECDSAKey.generate()), "none": ""}
        path.write_text(lines.get(known, server.known_hosts_line()), encoding="utf-8")
        access = target.devices.model_copy(update={"known_hosts": str(path), "ssh_port": server.port})
        device = Managed(junos_site, junos_site.router.hostname, "juniper_junos", "127.0.0.1")
        with pytest.raises(DeviceError) as err:
            open_driver(device, target.model_copy(update={"devices": access}), timeout=10)
    assert err.value.reason == reason, err.value


def test_set_with_replace_is_what_pyez_refuses() -> None:
    """Why the set config is not loaded as a replace: PyEZ refuses it before any RPC."""
    from jnpr.junos.utils.config import Config  # type: ignore[import-untyped]

    class NoDevice:
        pass

    with pytest.raises(ValueError, match="cannot use 'set' with 'overwrite'"):
        Config(NoDevice()).load("set system host-name a", format="set", overwrite=True)


def test_push_runs_the_same_sequence(
    inventory: Inventory, junos_site: Site, target: Target, router: tuple[ReplayedJunos, list[dict[str, Any]]]
) -> None:
    """The whole pusher over the replay: getters, backup read, set load, commit confirmed, gate,
    confirm, in that order."""
    device, _ = router
    options = PushOptions(commit=True, waves="1", gate_timeout=1, confirm_timeout=300)
    results, stopped = Pusher(inventory, target, options).run([_device(junos_site)])
    assert stopped is None and [(r.result, r.reason) for r in results] == [("changed", None)]
    assert results[0].gate["after"]["wan_up"] is True
    config_rpcs = [r.tag for r in device.rpcs if "config" in r.tag or "commit" in r.tag]
    assert config_rpcs == [
        "get-configuration",  # the backup
        "lock-configuration",
        "load-configuration",
        "get-configuration",  # compare
        "commit-configuration",  # confirmed, 5 minutes
        "unlock-configuration",
        "get-commit-revision-information",  # pending?
        "commit-configuration",  # the confirm
    ]
    assert device.steps()[-2:] == [
        "commit-configuration <confirmed> <confirm-timeout> 5",
        "commit-configuration",
    ]
    assert device.pending_minutes == 0 and not [u for u in device.unknown if "bgp" not in u]


def test_wan_down_after_commit_fails_the_gate_and_rolls_back(
    inventory: Inventory, junos_site: Site, target: Target, router: tuple[ReplayedJunos, list[dict[str, Any]]]
) -> None:
    device, _ = router
    device.wan_down_after_change = True
    options = PushOptions(commit=True, waves="1", gate_timeout=1, confirm_timeout=300)
    results, stopped = Pusher(inventory, target, options).run([_device(junos_site)])
    (result,) = results
    assert stopped == 1 and (result.result, result.reason, result.restored) == ("failed", "gate", True)
    assert "WAN interface went down" in result.detail
    assert "load-configuration compare=rollback rollback=1" in device.steps()
    assert device.committed.strip() == DAY0.strip() and device.pending_minutes == 0
