"""How a driver runs commands on a router: over SSH (paramiko exec channels) or locally.

An exec channel per command gives each command its own exit status and output, which the
candidate workflow needs to tell an accepted config from a rejected line. Host keys are checked
against known_hosts unless the target says it is the lab. Failures are NAPALM's own exceptions,
so any NAPALM caller (Nornir, provdc's pusher) can tell them apart by class.
"""

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import paramiko
from napalm.base.exceptions import (  # type: ignore[import-untyped]
    CommandTimeoutException,
    ConnectAuthError,
    ConnectionClosedException,
    ConnectionException,
    ConnectTimeoutError,
)


@dataclass(frozen=True)
class Result:
    status: int
    stdout: str
    stderr: str


class Shell(Protocol):
    def run(self, command: str, stdin: str | None = None, timeout: float = 60) -> Result: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SshAccess:
    host: str
    username: str
    password: str | None = None
    key_file: str | None = None
    port: int = 22
    host_keys: str = "strict"  # "lab": accept unknown keys (the lab's are generated per run)
    known_hosts: str = "~/.ssh/known_hosts"
    timeout: float = 15


class SshShell:
    def __init__(self, access: SshAccess) -> None:
        self.access = access
        self.client = paramiko.SSHClient()
        if access.host_keys == "lab":
            self.client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        else:
            known = Path(access.known_hosts).expanduser()
            if known.is_file():
                self.client.load_host_keys(str(known))
            self.client.set_missing_host_key_policy(paramiko.RejectPolicy())
        try:
            self.client.connect(
                access.host,
                port=access.port,
                username=access.username,
                password=access.password,
                key_filename=access.key_file,
                timeout=access.timeout,
                banner_timeout=access.timeout,
                auth_timeout=access.timeout,
                look_for_keys=False,
                allow_agent=False,
            )
        except paramiko.AuthenticationException:
            raise ConnectAuthError(f"{access.host}: authentication failed for {access.username}") from None
        except paramiko.SSHException as exc:
            raise ConnectionException(f"{access.host}: ssh: {exc}") from None
        except TimeoutError:
            raise ConnectTimeoutError(f"{access.host}: no answer within {access.timeout:.0f} s") from None
        except OSError as exc:
            raise ConnectionException(f"{access.host}: {exc.strerror or exc}") from None

    def run(self, command: str, stdin: str | None = None, timeout: float = 60) -> Result:
        try:
            chan_in, chan_out, chan_err = self.client.exec_command(command, timeout=timeout)
            if stdin is not None:
                chan_in.write(stdin.encode("utf-8"))
                chan_in.channel.shutdown_write()
            out = chan_out.read().decode("utf-8", "replace")
            err = chan_err.read().decode("utf-8", "replace")
            status = chan_out.channel.recv_exit_status()
        except TimeoutError:
            raise CommandTimeoutException(
                f"{self.access.host}: command timed out after {timeout:.0f} s"
            ) from None
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise ConnectionClosedException(f"{self.access.host}: session lost: {exc}") from None
        if status == -1:
            raise ConnectionClosedException(f"{self.access.host}: session closed during a command")
        return Result(status, out, err)

    def close(self) -> None:
        self.client.close()


class LocalShell:
    """Commands on this machine, optionally inside a network namespace (`ip netns exec`)."""

    def __init__(self, netns: str | None = None) -> None:
        self.prefix = f"ip netns exec {shlex.quote(netns)} " if netns else ""

    def run(self, command: str, stdin: str | None = None, timeout: float = 60) -> Result:
        try:
            done = subprocess.run(
                ["sh", "-c", self.prefix + f"sh -c {shlex.quote(command)}"],
                input=stdin,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CommandTimeoutException(f"local command timed out after {timeout:.0f} s") from None
        return Result(done.returncode, done.stdout, done.stderr)

    def close(self) -> None:
        pass
