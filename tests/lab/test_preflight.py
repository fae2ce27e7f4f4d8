"""Without root or without a kernel feature, `lab up` says so in one line and exits non-zero."""

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to another user")


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@needs_root
def test_up_without_root_is_one_line(provdc_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    setpriv = shutil.which("setpriv")
    assert setpriv is not None
    tmp_path.chmod(0o777)
    cmd = [
        setpriv,
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        sys.executable,
        "-m",
        "provdc",
        "lab",
        "up",
    ]
    import subprocess

    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        env={**os.environ, "PROVDC_STATE": str(tmp_path / "state")},
        timeout=60,
    )
    assert proc.returncode == 1
    assert "needs root" in _one_line(proc.stderr)


@needs_root
def test_up_without_network_namespaces_is_one_line(provdc_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A kernel that refuses network namespaces: `ip netns add` fails, nothing else is touched."""
    fake = tmp_path / "bin" / "ip"
    fake.parent.mkdir()
    fake.write_text(
        '#!/bin/sh\necho "mount --make-shared /run/netns failed: Operation not permitted" >&2\nexit 1\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": f"{fake.parent}:{os.environ['PATH']}", "PROVDC_STATE": str(tmp_path / "state")}
    result = provdc_cli("lab", "up", env=env, cwd=tmp_path)
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert "does not give network namespaces" in line
    assert not (tmp_path / "state").exists()


@needs_root
def test_status_and_down_without_root_are_one_line(tmp_path: Path) -> None:
    import subprocess

    tmp_path.chmod(0o777)
    for command in ("status", "down", "exec"):
        extra = ["x", "--", "true"] if command == "exec" else []
        cmd = [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            sys.executable,
            "-m",
            "provdc",
            "lab",
            command,
            *extra,
        ]
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
            timeout=60,
            env={**os.environ, "PROVDC_STATE": str(tmp_path / "state")},
        )
        assert proc.returncode == 1, (command, proc.stderr)
        assert "root" in _one_line(proc.stderr)
