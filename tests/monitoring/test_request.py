"""A poll request made ready (one inventory, its thresholds), key fallbacks, the --fail-on policy."""

from pathlib import Path

import pytest

from provdc.monitoring.errors import MonitoringError
from provdc.monitoring.request import AdhocCredentials, FailOn, PollRequest, fails, prepare, worst
from provdc.monitoring.results import Check, DeviceResult
from provdc.monitoring.snmp import V3, V2c


def _device(*checks: tuple[str, str]) -> DeviceResult:
    result = DeviceResult("r1", "192.0.2.1", 161, reachable=True)
    result.checks = [Check(f"c{i}", sev, status, "") for i, (sev, status) in enumerate(checks)]  # type: ignore[arg-type]
    return result


def test_worst_and_fail_on() -> None:
    ok = _device(("critical", "ok"), ("warning", "unknown"))
    warned = _device(("warning", "failed"), ("critical", "ok"))
    critical = _device(("warning", "failed"), ("critical", "failed"))
    assert [worst(d) for d in (ok, warned, critical)] == ["ok", "warning", "critical"]
    assert not fails([ok, warned], FailOn.critical) and fails([ok, critical], FailOn.critical)
    assert fails([warned], FailOn.warning) and not fails([ok], FailOn.warning)
    assert not fails([critical], FailOn.never)


def test_v3_keys_fall_back_to_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PROVDC_SNMP_AUTH_KEY", "auth-from-env")
    monkeypatch.setenv("PROVDC_SNMP_PRIV_KEY", "priv-from-env")
    priv_file = tmp_path / "priv"
    priv_file.write_text("priv-from-file\n")
    priv_file.chmod(0o600)
    creds = AdhocCredentials(user="poller", priv_key_file=priv_file).resolve()
    assert isinstance(creds, V3)
    assert (creds.user, creds.auth_key, creds.priv_key) == ("poller", "auth-from-env", "priv-from-file")
    monkeypatch.delenv("PROVDC_SNMP_AUTH_KEY")
    with pytest.raises(MonitoringError, match="needs --auth-key-file"):
        AdhocCredentials(user="poller").resolve()
    with pytest.raises(MonitoringError, match="not both"):
        AdhocCredentials(user="poller", community="public").resolve()


def test_prepare_reads_the_given_inventory_once_for_agents_and_thresholds(inventory_copy: Path) -> None:
    province = inventory_copy / "province.yml"
    text = province.read_text(encoding="utf-8")
    assert "cpu_pct: {warning: 80, critical: 95}" in text
    province.write_text(
        text.replace("cpu_pct: {warning: 80, critical: 95}", "cpu_pct: {warning: 61, critical: 62}")
    )
    request = PollRequest(
        agents=("192.0.2.7:1161",), credentials=AdhocCredentials(community="c"), inventory=inventory_copy
    )
    ready = prepare(request)
    assert [(a.address, a.port) for a in ready.agents] == [("192.0.2.7", 1161)]
    assert isinstance(ready.agents[0].credentials, V2c)
    levels = ready.thresholds["cpu_pct"]
    assert (levels.warning, levels.critical) == (61, 62)
    with pytest.raises(MonitoringError, match="not both"):
        prepare(PollRequest(target="lab", agents=("192.0.2.7",)))


def test_target_keys_from_the_operators_own_files(tmp_path: Path) -> None:
    auth, priv = tmp_path / "auth", tmp_path / "priv"
    for path, value in ((auth, "auth-of-mine"), (priv, "priv-of-mine")):
        path.write_text(value + "\n")
        path.chmod(0o600)
    assert AdhocCredentials().key_files() is None
    assert AdhocCredentials(auth_key_file=auth, priv_key_file=priv).key_files() == (
        "auth-of-mine",
        "priv-of-mine",
    )
    with pytest.raises(MonitoringError, match="both"):
        AdhocCredentials(auth_key_file=auth).key_files()
    with pytest.raises(MonitoringError, match="only the key files"):
        AdhocCredentials(user="other", auth_key_file=auth, priv_key_file=priv).key_files()
