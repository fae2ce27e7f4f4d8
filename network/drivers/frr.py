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
    CommitError,
    ConnectionException,
    MergeConfigException,
    ReplaceConfigException,
)

from provdc.network.drivers import frr_parse
from provdc.network.drivers.shell import LocalShell, Result, Shell, SshAccess, SshShell
from provdc.network.errors import DeviceError

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
            try:
                self.shell = SshShell(access)
            except DeviceError as exc:
                raise ConnectionException(str(exc)) from exc
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
        except DeviceError:
            return {"is_alive": False}

    # -- plumbing ----------------------------------------------------------------------------
    def _sh(self, command: str, stdin: str | None = None, check: bool = True) -> Result:
        if self.shell is None:
            raise ConnectionException(f"{self.hostname}: not open")
        result = self.shell.run(command, stdin=stdin, timeout=self.timeout)
        if check and result.status != 0:
            raise DeviceError(
                "error", f"{self.hostname}: `{command}` failed: {result.stderr or result.stdout}"
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
        self._upload("candidate.conf", self.candidate)

    def load_merge_candidate(self, filename: str | None = None, config: str | None = None) -> None:
        try:
            self.candidate, self.replace = self._load(filename, config), False
        except (OSError, ValueError) as exc:
            raise MergeConfigException(str(exc)) from exc
        self._upload("candidate.conf", self.candidate)

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

    def backup(self) -> str:
        """Save the running config as the rollback point on the device; return it."""
        running = str(self.get_config("running")["running"])
        if not running.rstrip().endswith("\nend"):
            raise DeviceError("backup", f"{self.hostname}: running config incomplete (no final 'end')")
        self._upload("rollback.conf", running)
        return running

    def commit_config(self, message: str = "", revert_in: int | None = None) -> None:
        """Apply the candidate (a backup first); with revert_in, a timer on the device restores
        the backup after that many seconds unless confirm_commit() comes first."""
        if self.candidate is None:
            raise CommitError(f"{self.hostname}: no candidate loaded")
        self.backup()
        path = self._path("candidate.conf")
        if self.replace:
            result = self._reload("--reload", path)
        else:
            result = self._sh(f"vtysh{self._ns} -f {path}", check=False)
        if result.status != 0:
            raise CommitError(frr_parse.rejected_line(result.stdout + result.stderr))
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

    def wait_idle(self, timeout: float = 60) -> None:
        """Wait until no reload of ours runs on the device (one a lost session left behind)."""
        where = "$HOME" + self.state[1:] if self.state.startswith("~/") else self.state
        probe = f'pgrep -f -- "[f]rr-reload.py .*{where}/"'  # [f]: never matches this shell itself
        deadline = time.monotonic() + timeout
        while self._sh(probe, check=False).status == 0:
            if time.monotonic() > deadline:
                raise DeviceError(
                    "timeout", f"{self.hostname}: a reload is still running after {timeout:.0f} s"
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

    def cli(self, commands: list[str], encoding: str = "text") -> dict[str, str]:
        return {c: self._vtysh(c) for c in commands}
