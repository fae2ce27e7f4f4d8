"""Running configs in a git-versioned folder (as Oxidized): one file per router, one commit per run.

A backup is checked for completeness before it is kept: a config cut short (no final `end` for
FRR and IOS, unbalanced braces or nothing for Junos) is an error, never a silent success.

Off-site copies: every commit is pushed to each remote of `remotes` (by default the git URLs in
$PROVDC_BACKUP_REMOTES, whitespace-separated: the DR site's git server, a second remote). A push
that fails keeps the local commit, is logged and is listed in `push_errors`; the next commit
pushes the whole history again, so a remote that was down catches up.
"""

import logging
import os
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

from provdc.inventory import state_dir
from provdc.inventory.platforms import PLATFORMS, Platform
from provdc.network.errors import DeviceError

ENV_REMOTES = "PROVDC_BACKUP_REMOTES"
BRANCH = "main"
log = logging.getLogger(__name__)


def backup_root() -> Path:
    return state_dir() / "backups"


def default_remotes() -> list[str]:
    return os.environ.get(ENV_REMOTES, "").split()


def complete(platform: Platform, text: str) -> bool:
    """Whether a running config is whole, by the platform's rule (platforms.CompleteWhen)."""
    body = text.strip()
    if not body:
        return False
    if PLATFORMS[platform].complete_when == "end-line":
        return body.endswith("\nend") or body == "end"
    return body.count("{") == body.count("}")


class BackupRepo:
    """The backups folder of one target; thread-safe for the pusher's workers."""

    def __init__(self, target: str, root: Path | None = None, remotes: Sequence[str] | None = None) -> None:
        self.root = (root or backup_root()) / target
        self.lock = threading.Lock()
        self.remotes = list(default_remotes() if remotes is None else remotes)
        self.push_errors: list[str] = []
        self.root.mkdir(parents=True, exist_ok=True)
        if not (self.root / ".git").is_dir():
            self._git("init", "-q", "-b", BRANCH)

    def _git(self, *args: str) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "provdc",
            "GIT_AUTHOR_EMAIL": "provdc@localhost",
            "GIT_COMMITTER_NAME": "provdc",
            "GIT_COMMITTER_EMAIL": "provdc@localhost",
        }
        done = subprocess.run(
            ["git", "-C", str(self.root), *args], capture_output=True, text=True, env=env, check=False
        )
        if done.returncode != 0:
            raise DeviceError("backup", f"backups git {args[0]}: {done.stderr.strip()}")
        return done.stdout

    def path(self, hostname: str) -> Path:
        return self.root / f"{hostname}.cfg"

    def write(self, hostname: str, platform: Platform, text: str) -> Path:
        if not complete(platform, text):
            raise DeviceError(
                "backup", f"{hostname}: running config incomplete ({len(text)} bytes); not kept"
            )
        path = self.path(hostname)
        with self.lock:
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=f".{hostname}.")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        return path

    def read(self, hostname: str) -> str | None:
        path = self.path(hostname)
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def commit(self, message: str) -> str | None:
        """Commit what changed since the last run; the new commit's id, or None if nothing did."""
        with self.lock:
            self._git("add", "-A")
            commit = None
            if self._git("status", "--porcelain").strip():
                self._git("commit", "-q", "-m", message)
                commit = self._git("rev-parse", "HEAD").strip()
            self._push()
            return commit

    def _push(self) -> None:
        """The local history to every remote (fast-forward only: a remote is never rewritten)."""
        self.push_errors = []
        head = subprocess.run(
            ["git", "-C", str(self.root), "rev-parse", "--verify", "-q", "HEAD"],
            capture_output=True,
            check=False,
        )
        if not self.remotes or head.returncode != 0:
            return
        for url in self.remotes:
            try:
                self._git("push", "-q", "--", url, f"HEAD:refs/heads/{BRANCH}")
            except DeviceError as exc:
                where = redact(url)
                self.push_errors.append(f"{where}: {str(exc).replace(url, where)}")
                log.warning("backups not pushed to %s", where)


def redact(url: str) -> str:
    """A remote's URL without any user or password it carries (never logged)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    return f"{scheme}://{rest.split('@', 1)[1]}"
