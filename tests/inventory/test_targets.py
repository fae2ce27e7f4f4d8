"""Targets and secret references: values are read at the moment of use and never echoed."""

from pathlib import Path

import pytest

from provdc.core.errors import ProvdcError
from provdc.inventory import load_target, secret


def test_prod_target_has_only_references() -> None:
    target = load_target("prod")
    assert target.vcenter is not None and target.vcenter.password_ref.startswith("env:")
    assert target.devices.host_keys == "strict"


def test_generated_target_in_state_dir_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVDC_STATE", str(tmp_path))
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "prod.yml").write_text(
        "name: prod\ndevices: {username_ref: 'env:U'}\nsnmp: {auth_key_ref: 'env:A', priv_key_ref: 'env:P'}\n"
    )
    assert load_target("prod").vcenter is None


def test_unknown_target_and_bad_target_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVDC_STATE", str(tmp_path))
    with pytest.raises(ProvdcError, match="no target 'nowhere'"):
        load_target("nowhere")
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / "bad.yml").write_text("name: bad\ndevices: {username_ref: 'plain-password'}\n")
    with pytest.raises(ProvdcError, match=r"bad\.yml:2: devices\.username_ref"):
        load_target("bad")


def test_secret_from_env_and_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVDC_TEST_SECRET", "s3cr3t-value")
    assert secret("env:PROVDC_TEST_SECRET") == "s3cr3t-value"
    f = tmp_path / "key"
    f.write_text("file-value\n")
    f.chmod(0o644)
    with pytest.raises(ProvdcError, match="readable by others") as info:
        secret(f"file:{f}")
    assert "file-value" not in str(info.value)
    f.chmod(0o600)
    assert secret(f"file:{f}") == "file-value"
    with pytest.raises(ProvdcError, match="is not set"):
        secret("env:PROVDC_SURELY_UNSET")
