"""Secret references and key files: only a regular 0600 file of the user, one line, read without hanging."""

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from provdc.core.errors import ProvdcError
from provdc.inventory import secret

VALUE = "s3cr3t-Value-42"
ROOT = os.geteuid() == 0
POLL = [sys.executable, "-m", "provdc", "monitor", "poll", "--agent", "127.0.0.1:9"]


def secret_file(folder: Path, content: bytes, mode: int = 0o600) -> Path:
    path = folder / "key"
    path.write_bytes(content)
    path.chmod(mode)
    return path


def refused(ref: str, match: str) -> str:
    with pytest.raises(ProvdcError, match=match) as info:
        secret(ref)
    message = str(info.value)
    assert VALUE not in message and "\n" not in message
    return message


def test_a_good_file_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert secret(f"file:{secret_file(tmp_path, (VALUE + chr(10)).encode())}") == VALUE
    monkeypatch.setenv("PROVDC_TEST_SECRET", VALUE)
    assert secret("env:PROVDC_TEST_SECRET") == VALUE


@pytest.mark.parametrize(
    ("content", "mode", "match"),
    [
        (VALUE.encode(), 0o640, "readable by others"),
        (VALUE.encode(), 0o604, "readable by others"),
        ((VALUE + "\nrwcommunity public default\n").encode(), 0o600, "more than one line"),
        ((VALUE + "\rx").encode(), 0o600, "more than one line"),
        ((VALUE + "\u2028x").encode(), 0o600, "more than one line"),
        (b"\n", 0o600, "empty"),
        (VALUE.encode() + b"\xff\xfe", 0o600, "not UTF-8"),
        (b"x" * (65 * 1024), 0o600, "over 64 KiB"),
    ],
)
def test_bad_files_are_one_line_without_the_value(
    tmp_path: Path, content: bytes, mode: int, match: str
) -> None:
    refused(f"file:{secret_file(tmp_path, content, mode)}", match)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "dir"
    folder.mkdir(mode=0o700)
    refused(f"file:{folder}", "not a regular file")


def test_a_fifo_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    outcome: list[str] = []
    worker = threading.Thread(target=lambda: outcome.append(refused(f"file:{fifo}", "not a regular file")))
    worker.start()
    worker.join(5)
    if worker.is_alive():  # unblock it so the test run ends, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO secret hung")
    assert outcome


@pytest.mark.skipif(not ROOT, reason="chown to another user needs root")
def test_a_file_of_another_user_is_refused(tmp_path: Path) -> None:
    path = secret_file(tmp_path, VALUE.encode())
    os.chown(path, 65534, 65534)
    refused(f"file:{path}", "belongs to another user")


def test_proc_files_are_refused() -> None:
    """/proc files say size 0 and then give bytes: never a secret."""
    refused("file:/proc/self/environ", "empty|does not match")


def test_env_names_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVDC_TEST_SECRET", VALUE + "\nsecond line")
    refused("env:PROVDC_TEST_SECRET", "more than one line")
    refused("env:A-B", "not an environment variable name")
    refused("env:", "not an environment variable name")
    refused("plain-password", "a reference is env:NAME or file:/path")


# ---- monitor's --community-file and key files, through the command line ---------------------


def _poll(tmp_path: Path, community_file: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*POLL, "--community-file", community_file, "--timeout", "0.2", "--retries", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PROVDC_STATE": str(tmp_path / "state")},
    )


@pytest.mark.parametrize(
    ("content", "mode", "match"),
    [
        (b"public", 0o644, "readable by others"),
        (b"\xffpublic", 0o600, "not UTF-8"),
        (b"pub\nlic", 0o600, "more than one line"),
    ],
)
def test_community_file_rules(tmp_path: Path, content: bytes, mode: int, match: str) -> None:
    run = _poll(tmp_path, str(secret_file(tmp_path, content, mode)))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and match in run.stderr
    assert "public" not in run.stderr


def test_community_file_from_a_device_is_refused_at_once(tmp_path: Path) -> None:
    dev = tmp_path / "zero"
    if ROOT:
        os.mknod(dev, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # our own /dev/zero: endless bytes
    else:
        dev = Path("/dev/zero")
    run = _poll(tmp_path, str(dev))
    assert run.returncode == 1 and "not a regular file" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
