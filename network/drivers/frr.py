"""A NAPALM driver for FRR, built on FRR's own tools: vtysh, frr-reload.py and `show ... json`.

Candidate workflow as NAPALM's: load_*_candidate → compare_config → commit_config(revert_in=) /
discard_config / rollback. The candidate is uploaded next to the router's backup in a state folder
on the device (`~/.provdc/<address>` of the SSH user); the backup written before every commit stays there,
so rollback() works from any later session, not only the one that committed.

optional_args: port, key_file, host_keys ("strict"|"lab"), known_hosts, pathspace (FRR -N, when
`vtysh` on the device is not already a wrapper for it), netns (transport "local" only),
transport ("ssh"|"local"), state_dir (on the device), reload ("/usr/lib/frr/frr-reload.py").
"""

import shlex
import time
from typing import Any

from napalm.base import NetworkDriver, models  # type: ignore[import-untyped]
from napalm.base.exceptions import (  # type: ignore[import-untyped]
    CommandErrorException,
    CommandTimeoutException,
    CommitError,
    ConnectionClosedException,
    MergeConfigException,
    ReplaceConfigException,
)

from provdc.network.drivers import frr_parse, linux_parse
from provdc.network.drivers.sanitize import sanitized as hide_secrets
from provdc.network.drivers.shell import LocalShell, Result, Shell, SshAccess, SshShell
from provdc.network.errors import BackupIncomplete

FRR_RELOAD = "/usr/lib/frr/frr-reload.py"


class FrrDriver(NetworkDriver):  # type: ignore[misc]
    """FRR behind NAPALM's interface."""

    def __init__(
        self,
        hostname: str,
        username: str,
        password: str,
        timeout: int = 60,
        optional_args: dict[str, Any] | None = None,
    ) -> None:
        self.hostname = hostname
        self.platform = "frr"
        self.username = username
        self.password = password
        self.timeout = timeout
        self.args = optional_args or {}
        self.pathspace: str | None = self.args.get("pathspace")
        # Per address: in the lab one login (one home) serves every router.
        self.state = self.args.get("state_dir", f"~/.provdc/{shlex.quote(hostname)}")
        self.reload = self.args.get("reload", FRR_RELOAD)
        self.shell: Shell | None = None
        self.candidate: str | None = None
        self.replace = False

    # -- session -----------------------------------------------------------------------------
    def open(self) -> None:
        if self.args.get("transport", "ssh") == "local":
            self.shell = LocalShell(self.args.get("netns"))
        else:
            access = SshAccess(
                host=self.hostname,
                username=self.username,
                password=self.password or None,
                key_file=self.args.get("key_file"),
                port=int(self.args.get("port", 22)),
                host_keys=self.args.get("host_keys", "strict"),
                known_hosts=self.args.get("known_hosts", "~/.ssh/known_hosts"),
                timeout=min(self.timeout, 30),
            )
            self.shell = SshShell(access)
        self._sh(f"mkdir -p {self.state} && chmod 700 {self.state}")

    def close(self) -> None:
        if self.shell is not None:
            self.shell.close()
            self.shell = None

    def is_alive(self) -> models.AliveDict:
        if self.shell is None:
            return {"is_alive": False}
        try:
            return {"is_alive": self._sh("true").status == 0}
        except (ConnectionClosedException, CommandTimeoutException):
            return {"is_alive": False}

    # -- plumbing ----------------------------------------------------------------------------
    def _sh(self, command: str, stdin: str | None = None, check: bool = True) -> Result:
        if self.shell is None:
            raise ConnectionClosedException(f"{self.hostname}: not open")
        result = self.shell.run(command, stdin=stdin, timeout=self.timeout)
        if check and result.status != 0:
            raise CommandErrorException(
                f"{self.hostname}: `{command}` failed: {result.stderr or result.stdout}"
            )
        return result

    @property
    def _ns(self) -> str:
        return f" -N {shlex.quote(self.pathspace)}" if self.pathspace else ""

    def _vtysh(self, *commands: str) -> str:
        args = " ".join(f"-c {shlex.quote(c)}" for c in commands)
        return self._sh(f"vtysh{self._ns} {args}").stdout

    def _reload(self, mode: str, path: str) -> Result:
        # --bindir: the directory of the `vtysh` this login finds (the lab's is a wrapper).
        return self._sh(
            f'{self.reload} {mode} --stdout{self._ns} --bindir "$(dirname "$(command -v vtysh)")" '
            f"--confdir {self.state} --rundir {self.state} {path}",
            check=False,
        )

    def _path(self, name: str) -> str:
        return f"{self.state}/{name}"

    def _upload(self, name: str, text: str) -> str:
        path = self._path(name)
        self._sh(f"umask 077 && cat > {path}", stdin=text)
        return path

    # -- candidate workflow ------------------------------------------------------------------
    def _load(self, filename: str | None, config: str | None) -> str:
        if config is None and filename is None:
            raise ValueError("give a filename or a config")
        if config is None:
            with open(str(filename), encoding="utf-8") as fh:
                config = fh.read()
        return config

    def load_replace_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        try:
            self.candidate, self.replace = self._load(filename, config), True
        except (OSError, ValueError) as exc:
            raise ReplaceConfigException(str(exc)) from exc
        self._wait_idle()
        self._upload("candidate.conf", self.candidate)

    def load_merge_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        try:
            self.candidate, self.replace = self._load(filename, config), False
        except (OSError, ValueError) as exc:
            raise MergeConfigException(str(exc)) from exc
        self._wait_idle()
        path = self._upload("candidate.conf", self.candidate)
        # vtysh's dry run: a merge with a rejected line is refused before any of it applies.
        checked = self._sh(f"vtysh{self._ns} --dryrun -f {path}", check=False)
        if checked.status != 0:
            self.discard_config()
            raise MergeConfigException(frr_parse.rejected_line(checked.stdout + checked.stderr))

    def compare_config(self) -> str:
        """The delta frr-reload.py would apply: `- line` to remove, `+ line` to add."""
        if self.candidate is None:
            return ""
        if not self.replace:
            running = set(self.get_config("running")["running"].splitlines())
            return "\n".join(f"+ {line}" for line in self.candidate.splitlines() if line not in running)
        result = self._reload("--test", self._path("candidate.conf"))
        if result.status != 0:
            raise ReplaceConfigException(frr_parse.rejected_line(result.stdout + result.stderr))
        return frr_parse.delta_text(*frr_parse.reload_delta(result.stdout))

    def _backup(self) -> str:
        """Save the running config as the rollback point on the device; return it."""
        running = str(self.get_config("running")["running"])
        if not running.rstrip().endswith("\nend"):
            raise BackupIncomplete(f"{self.hostname}: running config incomplete (no final 'end')")
        self._upload("rollback.conf", running)
        return running

    def commit_config(self, message: str = "", revert_in: int | None = None) -> None:
        """Apply the candidate (a backup first); with revert_in, a timer on the device restores
        the backup after that many seconds unless confirm_commit() comes first."""
        if self.candidate is None:
            raise CommitError(f"{self.hostname}: no candidate loaded")
        self._backup()
        path = self._path("candidate.conf")
        if self.replace:
            result = self._reload("--reload", path)
        else:
            result = self._sh(f"vtysh{self._ns} -f {path}", check=False)
        if result.status != 0:
            rejected = ReplaceConfigException if self.replace else MergeConfigException
            raise rejected(frr_parse.rejected_line(result.stdout + result.stderr))
        self._vtysh("write memory")
        if revert_in:
            self._arm_revert(revert_in)
        self.discard_config()

    def _arm_revert(self, seconds: int) -> None:
        pending = self._path("pending")
        restore = (
            f"sleep {int(seconds)}; [ -f {pending} ] || exit 0; rm -f {pending}; "
            f'{self.reload} --reload --stdout{self._ns} --bindir "$(dirname "$(command -v vtysh)")" '
            f"--confdir {self.state} --rundir {self.state} {self._path('rollback.conf')} "
            f"&& vtysh{self._ns} -c 'write memory'"
        )
        self._sh(f"touch {pending} && (setsid nohup sh -c {shlex.quote(restore)} >/dev/null 2>&1 &)")

    def _wait_idle(self, timeout: float = 60) -> None:
        """Wait until no reload of ours runs on the device (one a lost session left behind)."""
        where = "$HOME" + self.state[1:] if self.state.startswith("~/") else self.state
        probe = f'pgrep -f -- "[f]rr-reload.py .*{where}/"'  # [f]: never matches this shell itself
        deadline = time.monotonic() + timeout
        while self._sh(probe, check=False).status == 0:
            if time.monotonic() > deadline:
                raise CommandTimeoutException(
                    f"{self.hostname}: a reload is still running after {timeout:.0f} s"
                )
            time.sleep(0.5)

    def confirm_commit(self) -> None:
        self._sh(f"rm -f {self._path('pending')}")

    def has_pending_commit(self) -> bool:
        return self._sh(f"test -f {self._path('pending')}", check=False).status == 0

    def discard_config(self) -> None:
        self.candidate = None
        self._sh(f"rm -f {self._path('candidate.conf')}")

    def rollback(self) -> None:
        """Restore the backup the last commit saved, whichever session made it."""
        backup = self._path("rollback.conf")
        if self._sh(f"test -s {backup}", check=False).status != 0:
            raise CommitError(f"{self.hostname}: no backup on the device to roll back to")
        self._sh(f"rm -f {self._path('pending')}")
        result = self._reload("--reload", backup)
        if result.status != 0:
            raise CommitError(frr_parse.rejected_line(result.stdout + result.stderr))
        self._vtysh("write memory")

    # -- getters -----------------------------------------------------------------------------
    def get_config(
        self, retrieve: str = "all", full: bool = False, sanitized: bool = False, format: str = "text"
    ) -> models.ConfigDict:
        out: models.ConfigDict = {"running": "", "startup": "", "candidate": ""}
        if retrieve in ("all", "running"):
            out["running"] = frr_parse.clean_running(self._vtysh("show running-config"))
        if retrieve in ("all", "startup"):
            out["startup"] = self._vtysh("show startup-config")
        if retrieve in ("all", "candidate"):
            out["candidate"] = self.candidate or ""
        if sanitized:
            out = {key: hide_secrets(text) for key, text in out.items()}
        return out

    def get_facts(self) -> models.FactsDict:
        return frr_parse.facts(
            self._vtysh("show version"),
            self._vtysh("show running-config"),
            self._vtysh("show interface json"),
            self._sh("cat /proc/uptime").stdout,
        )

    def get_interfaces(self) -> dict[str, models.InterfaceDict]:
        return frr_parse.interfaces(self._vtysh("show interface json"))

    def get_bgp_neighbors(self) -> dict[str, models.BGPStateNeighborsPerVRFDict]:
        return frr_parse.bgp_neighbors(
            self._vtysh("show bgp vrf all summary json"), self._vtysh("show bgp vrf all neighbors json")
        )

    def get_interfaces_ip(self) -> dict[str, models.InterfacesIPDict]:
        return frr_parse.interfaces_ip(self._vtysh("show interface json"))

    def get_bgp_neighbors_detail(
        self, neighbor_address: str = ""
    ) -> dict[str, dict[int, list[models.PeerDetailsDict]]]:
        return frr_parse.bgp_neighbors_detail(
            self._vtysh("show bgp vrf all neighbors json"), neighbor_address
        )

    def get_route_to(
        self, destination: str = "", protocol: str = "", longer: bool = False
    ) -> dict[str, list[models.RouteDict]]:
        show = f"show ip route {destination}" if destination else "show ip route"
        if longer and destination:
            show += " longer-prefixes"
        return frr_parse.route_to(self._vtysh(f"{show} json"), protocol)

    def get_interfaces_counters(self) -> dict[str, models.InterfaceCounterDict]:
        return linux_parse.interfaces_counters(self._sh("ip -j -s link show").stdout)

    def get_arp_table(self, vrf: str = "") -> list[models.ARPTableDict]:
        where = f" vrf {shlex.quote(vrf)}" if vrf else ""
        return linux_parse.arp_table(self._sh(f"ip -j -s -4 neigh show{where}").stdout)

    def get_environment(self) -> models.EnvironmentDict:
        # One line per thermal zone: type, millidegrees, first critical trip point (if any).
        thermal = (
            "for z in /sys/class/thermal/thermal_zone*; do [ -r $z/temp ] || continue; "
            'echo "$(cat $z/type) $(cat $z/temp) $(cat $z/trip_point_0_temp 2>/dev/null)"; done'
        )
        return linux_parse.environment(
            self._sh("cat /proc/stat").stdout,
            self._sh("cat /proc/meminfo").stdout,
            self._sh(thermal, check=False).stdout,
        )

    def get_snmp_information(self) -> models.SNMPDict:
        """From the config file the snmpd listening in this router's namespace runs with."""
        find = (
            "pid=$(ss -Hlunp 'sport = :161' | sed -n 's/.*pid=\\([0-9]*\\).*/\\1/p' | head -1); "
            'conf=$( [ -n "$pid" ] && tr "\\0" "\\n" < /proc/$pid/cmdline | sed -n "/^-c$/{n;p;}"); '
            'cat "${conf:-/etc/snmp/snmpd.conf}"'
        )
        hostname = self.get_facts()["hostname"]
        return linux_parse.snmp_information(self._sh(find, check=False).stdout, hostname)

    def get_ntp_servers(self) -> dict[str, models.NTPServerDict]:
        """chrony's config (Debian's default time service), else ntpd's."""
        conf = self._sh(
            "cat /etc/chrony/chrony.conf /etc/chrony/conf.d/*.conf /etc/chrony/sources.d/*.sources "
            "2>/dev/null || cat /etc/ntpsec/ntp.conf /etc/ntp.conf 2>/dev/null",
            check=False,
        )
        return linux_parse.ntp_servers(conf.stdout)

    def get_users(self) -> dict[str, models.UsersDict]:
        """The host's login accounts: FRR has none of its own (vtysh has only `password`)."""
        passwd = self._sh("getent passwd").stdout
        admins = self._sh("getent group sudo", check=False).stdout.strip()
        keys = linux_parse.sections(
            self._sh(
                "getent passwd | while IFS=: read -r u _ _ _ _ h _; do "
                '[ -r "$h/.ssh/authorized_keys" ] && { echo "==> $u <=="; cat "$h/.ssh/authorized_keys"; }; '
                "done; true",
                check=False,
            ).stdout
        )
        return linux_parse.users(passwd, admins, keys)

    def get_lldp_neighbors(self) -> dict[str, list[models.LLDPNeighborDict]]:
        """Always empty: FRR has no LLDP daemon, and provdc's routers run no lldpd."""
        return {}

    def cli(self, commands: list[str], encoding: str = "text") -> dict[str, str]:
        """Each vtysh command's output; CommandErrorException when vtysh refuses one."""
        if encoding != "text":
            raise NotImplementedError(f"{encoding} encoding is not supported")
        out: dict[str, str] = {}
        for command in commands:
            result = self._sh(f"vtysh{self._ns} -c {shlex.quote(command)}", check=False)
            if result.status != 0 or result.stdout.lstrip().startswith("% "):
                raise CommandErrorException(f"{self.hostname}: {command}: {result.stdout or result.stderr}")
            out[command] = result.stdout
        return out
