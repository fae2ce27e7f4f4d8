"""`net push` on Cisco IOS through NAPALM's own ios driver and netmiko's own file transfer, over a
replayed C1111 session: no device, but every command the real driver code sends is recorded and
answered as IOS XE prints it (replay/ios/README.md). Only the byte stream is replaced: the netmiko
connection (ConnectHandler) and the SCP channel (SCPConn).

Checked: SCP of the candidate to flash (netmiko's MD5 check included), `show archive config
differences`, `configure replace … revert trigger error timer N`, and `configure confirm` after the
gate; `configure revert now` when the wave fails; a router that lost `archive` refuses the timer.
Host keys: netmiko, with provdc's arguments, against a real SSH server (net_sshd).
"""

import dataclasses
import hashlib
import ipaddress
from pathlib import Path
from typing import Any

import netmiko.scp_handler
import paramiko
import pytest
from napalm.base import base as napalm_base  # type: ignore[import-untyped]
from net_sshd import sshd

from provdc.inventory import Inventory, Site
from provdc.inventory.targets import Target
from provdc.network.candidate import confirm, load_intended, revert_now
from provdc.network.connect import open_driver
from provdc.network.errors import DeviceError
from provdc.network.gates import Snapshot, snapshot
from provdc.network.intended import Intended
from provdc.network.push import Pusher, PushOptions
from provdc.network.scope import Managed

REPLAY = Path(__file__).parent / "replay" / "ios"
USER = "netops"
CANDIDATE = "flash:/candidate_config.txt"


def answer(recording: str, **fill: object) -> str:
    text = (REPLAY / recording).read_text(encoding="utf-8")
    return text.format(**fill) if fill else text


class ReplayedIos:
    """A C1111 as netmiko's connection object: answers from recordings, keeps its running config,
    its flash files and its revert timer, and logs every command in the order it was sent."""

    device_type = "cisco_ios"

    def __init__(self, running: str, archive: bool = True) -> None:
        self.running = running
        self.archive = archive
        self.flash: dict[str, bytes] = {}
        self.pending: tuple[int, str, str] | None = None  # minutes, user, config before
        self.log: list[str] = []
        self.unknown: list[str] = []

    # -- what NAPALM and netmiko call -------------------------------------------------------
    def enable(self) -> str:
        return ""

    def find_prompt(self) -> str:
        return "ce-replay#"

    def set_base_prompt(self, *args: Any, **kwargs: Any) -> str:
        return "ce-replay"

    def disconnect(self) -> None:
        self.log.append("<disconnect>")

    def _autodetect_fs(self) -> str:
        return "flash:"

    def save_config(self, cmd: str = "write mem", **kwargs: Any) -> str:
        self.log.append(cmd)
        return answer("write_memory.txt")

    def send_config_set(self, commands: Any, **kwargs: Any) -> str:
        for command in [commands] if isinstance(commands, str) else commands:
            self.log.append(f"(config) {command}")
        return ""

    def _send_command_str(self, command: str, **kwargs: Any) -> str:
        return self.send_command(command, **kwargs)

    def send_command_timing(self, command: str, **kwargs: Any) -> str:
        return self.send_command(command, **kwargs)

    def send_command(self, command: str, **kwargs: Any) -> str:
        self.log.append(command)
        return self._answer(command)

    # -- the device's side ------------------------------------------------------------------
    def _file(self, path: str) -> str:
        return path.split("flash:/", 1)[1]

    def _answer(self, command: str) -> str:
        if command == "show archive":
            return answer("show_archive.txt" if self.archive else "show_archive_disabled.txt")
        if command == "show archive config rollback timer":
            if self.pending is None:
                return answer("show_archive_config_rollback_timer_none.txt")
            return answer(
                "show_archive_config_rollback_timer_pending.txt",
                minutes=self.pending[0],
                user=self.pending[1],
            )
        if command == "dir flash:":
            return answer("dir_flash.txt")
        if command.startswith("dir flash:/"):
            name = self._file(command)
            if name not in self.flash:
                return answer("dir_file_missing.txt", name=name)
            return answer("dir_file.txt", name=name, size=len(self.flash[name]))
        if command.startswith("verify /md5 flash:/"):
            name = self._file(command)
            return answer("verify_md5.txt", name=name, md5=hashlib.md5(self.flash.get(name, b"")).hexdigest())
        if command.startswith("show running-config | inc "):
            wanted = command.removeprefix("show running-config | inc ")
            return "\n".join(line for line in self.running.splitlines() if wanted in line)
        if command == "show running-config":
            header = f"Building configuration...\n\nCurrent configuration : {len(self.running)} bytes\n"
            return header + self.running
        if command == f"show archive config differences system:/running-config {CANDIDATE}":
            return self._differences(self.flash["candidate_config.txt"].decode())
        if command.startswith("copy running-config flash:/"):
            self.flash[self._file(command)] = self.running.encode()
            return answer("copy_bytes.txt", size=len(self.running))
        if command.startswith("copy null: flash:/"):
            self.flash[self._file(command)] = b""
            return ""
        if command.startswith(f"configure replace {CANDIDATE} force"):
            before, self.running = self.running, self.flash["candidate_config.txt"].decode()
            if " timer " in command:
                self.pending = (int(command.rsplit(" ", 1)[1]), USER, before)
            return answer("configure_replace.txt")
        if command == "configure confirm" and self.pending:
            self.pending = None
            return ""
        if command == "configure revert now" and self.pending:
            self.running, self.pending = self.pending[2], None
            return answer("configure_replace.txt")
        getter = REPLAY / "getters" / (command.replace(" ", "_") + ".txt")
        if getter.is_file():
            return getter.read_text(encoding="utf-8")
        self.unknown.append(command)
        return "% Invalid input detected at '^' marker."

    def _differences(self, candidate: str) -> str:
        """`show archive config differences` as IOS prints it: `+`/`-` lines (context omitted)."""

        def lines(text: str) -> list[str]:
            return [ln for ln in text.splitlines() if ln.strip() and ln.strip() != "!"]

        old, new = lines(self.running), lines(candidate)
        diff = [f"-{ln}" for ln in old if ln not in new] + [f"+{ln}" for ln in new if ln not in old]
        return "!Contextual Config Diffs:\n" + "\n".join(diff) if diff else "!No changes were found"

    def expire_timer(self) -> None:
        """The router's own revert timer runs out (nobody confirmed)."""
        assert self.pending is not None
        self.running, self.pending = self.pending[2], None


class ReplayedScp:
    """netmiko's SCPConn with the bytes put straight onto the replayed router's flash."""

    def __init__(self, ssh_conn: ReplayedIos, **kwargs: Any) -> None:
        self.device = ssh_conn

    def scp_transfer_file(self, source_file: str, dest_file: str) -> None:
        self.device.log.append(f"<scp put {dest_file}>")
        self.device.flash[dest_file.split("flash:/", 1)[1]] = Path(source_file).read_bytes()

    def close(self) -> None:
        pass


@pytest.fixture
def ios_site(inventory: Inventory) -> Site:
    return next(s for s in inventory.sites.values() if s.router.platform == "cisco_ios")


@pytest.fixture
def target(replay_target: Target) -> Target:
    return replay_target


DAY0 = (
    "hostname Router\n!\nip scp server enable\n!\narchive\n path flash:archive\n maximum 14\n!\n"
    "username netops privilege 15 secret 9 $9$abc\n!\nend"
)


@pytest.fixture
def router(monkeypatch: pytest.MonkeyPatch) -> tuple[ReplayedIos, list[dict[str, Any]]]:
    """The replayed router and the netmiko arguments each connection was opened with."""
    device = ReplayedIos(DAY0)
    opened: list[dict[str, Any]] = []

    def connect_handler(**kwargs: Any) -> ReplayedIos:
        opened.append(kwargs)
        device.log.append("<connect>")
        return device

    monkeypatch.setattr(napalm_base, "ConnectHandler", connect_handler)
    monkeypatch.setattr(netmiko.scp_handler, "SCPConn", ReplayedScp)
    return device, opened


def _device(site: Site) -> Managed:
    return Managed(site, site.router.hostname, "cisco_ios", "192.0.2.10")


def _config_steps(log: list[str]) -> list[str]:
    """The config-lifecycle commands of a session, in order (getters and file checks left out)."""
    keep = ("<scp", "show archive config differences", "configure ", "write mem", "copy running-config")
    return [c for c in log if c.startswith(keep)]


def test_push_commits_with_revert_timer_then_confirms(
    inventory: Inventory, ios_site: Site, target: Target, router: tuple[ReplayedIos, list[dict[str, Any]]]
) -> None:
    device, opened = router
    options = PushOptions(commit=True, waves="1", gate_timeout=1, confirm_timeout=300)
    results, stopped = Pusher(inventory, target, options).run([_device(ios_site)])
    assert stopped is None
    assert [(r.result, r.reason) for r in results] == [("changed", None)], results[0].detail
    assert _config_steps(device.log) == [
        f"<scp put {CANDIDATE}>",
        f"show archive config differences system:/running-config {CANDIDATE}",
        "copy running-config flash:/rollback_config.txt",
        f"configure replace {CANDIDATE} force revert trigger error timer 5",
        "configure confirm",
        "write mem",
    ]
    # What went to flash is the rendered config with the target's secrets filled in.
    expected = Intended(inventory, target).text(_device(ios_site))
    assert device.running == expected
    assert "ip scp server enable" in device.running and "\narchive\n" in device.running
    assert device.pending is None and not device.unknown
    # Host keys: netmiko rejects unknown keys and reads the target's known_hosts only.
    assert opened and all(
        o["ssh_strict"] is True
        and o["alt_host_keys"] is True
        and o["alt_key_file"] == target.devices.known_hosts
        and o["system_host_keys"] is False
        for o in opened
    )


def test_gate_failure_reverts_the_unconfirmed_commit_at_once(
    inventory: Inventory, ios_site: Site, target: Target, router: tuple[ReplayedIos, list[dict[str, Any]]]
) -> None:
    device, _ = router
    driver = open_driver(_device(ios_site), target)
    load_intended(driver, "cisco_ios", Intended(inventory, target).text(_device(ios_site)))
    driver.commit_config(revert_in=120)
    assert device.pending is not None and device.pending[0] == 2
    assert revert_now(driver) is True
    assert device.running == DAY0 and device.pending is None
    assert "configure revert now" in device.log and "configure confirm" not in device.log


def test_timer_that_already_fired_is_not_confirmed(
    inventory: Inventory, ios_site: Site, target: Target, router: tuple[ReplayedIos, list[dict[str, Any]]]
) -> None:
    device, _ = router
    driver = open_driver(_device(ios_site), target)
    load_intended(driver, "cisco_ios", Intended(inventory, target).text(_device(ios_site)))
    driver.commit_config(revert_in=300)
    device.expire_timer()
    assert confirm(driver) is False
    assert "configure confirm" not in device.log and device.running == DAY0


def test_router_without_archive_refuses_the_revert_timer(
    inventory: Inventory, ios_site: Site, target: Target, router: tuple[ReplayedIos, list[dict[str, Any]]]
) -> None:
    device, _ = router
    device.archive = False
    options = PushOptions(commit=True, waves="1", gate_timeout=1, confirm_timeout=300)
    results, _ = Pusher(inventory, target, options).run([_device(ios_site)])
    assert results[0].result == "failed" and "archive" in results[0].detail
    assert not any(c.startswith("configure replace") for c in device.log)
    assert device.running == DAY0


@pytest.mark.parametrize(("known", "reason"), [("other", "hostkey"), ("none", "hostkey"), ("right", "auth")])
def test_host_key_checked_by_netmiko_for_real(
    ios_site: Site, target: Target, tmp_path: Path, known: str, reason: str
) -> None:
    """A real SSH server: netmiko, given provdc's arguments, refuses a changed or unknown key
    before it logs in; with the right key it gets as far as the (refused) login."""
    with sshd() as server:
        path = tmp_path / "known_hosts_real"
        lines = {"other": server.known_hosts_line(paramiko.ECDSAKey.generate()), "none": ""}
        path.write_text(lines.get(known, server.known_hosts_line()), encoding="utf-8")
        access = target.devices.model_copy(update={"known_hosts": str(path), "ssh_port": server.port})
        device = Managed(ios_site, ios_site.router.hostname, "cisco_ios", "127.0.0.1")
        with pytest.raises(DeviceError) as err:
            open_driver(device, target.model_copy(update={"devices": access}), timeout=10)
    assert err.value.reason == reason, err.value


def test_missing_known_hosts_is_reason_hostkey(ios_site: Site, target: Target, tmp_path: Path) -> None:
    access = target.devices.model_copy(update={"known_hosts": str(tmp_path / "absent")})
    with pytest.raises(DeviceError) as err:
        open_driver(_device(ios_site), target.model_copy(update={"devices": access}))
    assert err.value.reason == "hostkey" and "absent" in str(err.value)


def test_gate_snapshot_reads_napalm_ios_getters(
    ios_site: Site, target: Target, router: tuple[ReplayedIos, list[dict[str, Any]]]
) -> None:
    """The gate over NAPALM's ios getters on NAPALM's recorded output: peer 10.0.0.2 is up with
    3142 IPv4 prefixes and GigabitEthernet1 is up (napalm's expected_result.json says so)."""
    wan = dataclasses.replace(ios_site.wan, network=ipaddress.IPv4Network("10.0.0.0/30"))  # PE .2
    site = dataclasses.replace(ios_site, wan=wan)
    driver = open_driver(_device(site), target)
    assert snapshot(driver, _device(site), "GigabitEthernet1") == Snapshot(True, True, True, 3142)
    assert snapshot(driver, _device(site), "GigabitEthernet3").wan_up is False  # admin down there
