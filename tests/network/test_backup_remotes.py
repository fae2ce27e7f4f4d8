"""Config backups pushed to second git remotes (the DR copy), tested with local bare repositories."""

import subprocess
from pathlib import Path

from provdc.network.backups import BackupRepo, redact

FRR = "frr version 8.4\nhostname ce-1\n!\nend\n"


def _bare(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
    return path


def _remote_head(bare: Path) -> tuple[str, str]:
    """(commit id of main, ce-1.cfg at it), read with git itself from the bare repository."""
    head = subprocess.run(
        ["git", "--git-dir", str(bare), "rev-parse", "refs/heads/main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    text = subprocess.run(
        ["git", "--git-dir", str(bare), "show", "main:ce-1.cfg"], capture_output=True, text=True, check=True
    ).stdout
    return head, text


def test_every_commit_reaches_each_remote(tmp_path: Path) -> None:
    dr, second = _bare(tmp_path / "dr.git"), _bare(tmp_path / "second.git")
    repo = BackupRepo("lab", tmp_path / "local", remotes=[str(dr), f"file://{second}"])
    repo.write("ce-1", "frr", FRR)
    first = repo.commit("run 1")
    assert first and repo.push_errors == []
    assert _remote_head(dr) == (first, FRR) and _remote_head(second) == (first, FRR)
    repo.write("ce-1", "frr", FRR.replace("8.4", "8.5"))
    again = repo.commit("run 2")
    assert again and again != first
    assert _remote_head(dr) == (again, FRR.replace("8.4", "8.5"))


def test_a_remote_that_was_down_catches_up_and_the_local_commit_is_kept(tmp_path: Path) -> None:
    late = tmp_path / "late.git"
    repo = BackupRepo("lab", tmp_path / "local", remotes=[str(late)])
    repo.write("ce-1", "frr", FRR)
    commit = repo.commit("run 1")
    assert commit is not None
    assert len(repo.push_errors) == 1 and str(late) in repo.push_errors[0]
    assert repo.read("ce-1") == FRR
    _bare(late)
    assert repo.commit("run 2, nothing changed") is None
    assert repo.push_errors == [] and _remote_head(late) == (commit, FRR)


def test_a_remote_url_is_never_reported_with_its_password() -> None:
    assert redact("https://backup:s3cret@git.dr.example/provdc.git") == "https://git.dr.example/provdc.git"
    assert redact("/srv/git/provdc.git") == "/srv/git/provdc.git"


def test_no_remote_pushes_nothing(tmp_path: Path) -> None:
    repo = BackupRepo("lab", tmp_path / "local", remotes=[])
    repo.write("ce-1", "frr", FRR)
    assert repo.commit("run 1") and repo.push_errors == []
