"""The generated snmp.yml in a real snmp_exporter v0.29.0: what it scrapes equals what net-snmp reads."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from exporter_agent import EXPORTER, Exporter, Samples, start_exporter
from snmp_agents import Snmpd, Snmpsim, net_snmp, v2c

from provdc.inventory.model import SnmpSettings
from provdc.monitoring.errors import MonitoringError
from provdc.monitoring.profiles import profile_names
from provdc.monitoring.snmp_exporter_config import (
    V3_AUTH,
    ExporterSecrets,
    exporter_config,
    module_name,
    render,
    write_config,
)

IF_OPER = "1.3.6.1.2.1.2.2.1.8"
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_HC_IN = "1.3.6.1.2.1.31.1.1.1.6"
CISCO_TEMP = "1.3.6.1.4.1.9.9.13.1.3.1.3"
CISCO_TEMP_DESCR = "1.3.6.1.4.1.9.9.13.1.3.1.2"
RECORDINGS = ["cisco-c3560", "juniper-mx960", "huawei-s5720"]


def _settings(user: str = "provdc-test") -> SnmpSettings:
    return SnmpSettings(user, "SHA", "AES", "file:auth", "file:priv")


def _by(samples: Samples, metric: str, label: str) -> dict[str, float]:
    return {labels[label]: value for labels, value in samples.get(metric, [])}


@pytest.fixture(scope="module")
def v2c_exporter(snmpsim: Snmpsim) -> Iterator[Exporter]:
    config = exporter_config(None, communities={c: c for c in RECORDINGS})
    exporter = start_exporter(config)
    yield exporter
    exporter.stop()


def test_interfaces_equal_snmpbulkwalk(v2c_exporter: Exporter, snmpsim: Snmpsim) -> None:
    target = f"127.0.0.1:{snmpsim.port}"
    for community in RECORDINGS:
        samples = v2c_exporter.scrape(target, module_name("standard"), community)
        oper = net_snmp("snmpbulkwalk", snmpsim.port, v2c(community), IF_OPER)
        names = net_snmp("snmpbulkwalk", snmpsim.port, v2c(community), IF_NAME)
        octets = net_snmp("snmpbulkwalk", snmpsim.port, v2c(community), IF_HC_IN)
        assert oper, community
        assert {k: int(v) for k, v in oper.items()} == _by(samples, "ifOperStatus", "ifIndex")
        assert {k: int(v) for k, v in octets.items()} == _by(samples, "ifHCInOctets", "ifIndex")
        looked_up = {labels["ifIndex"]: labels["ifName"] for labels, _ in samples["ifOperStatus"]}
        assert looked_up == {k: v for k, v in names.items() if k in oper}


def test_vendor_module_reads_the_vendor_columns(v2c_exporter: Exporter, snmpsim: Snmpsim) -> None:
    samples = v2c_exporter.scrape(f"127.0.0.1:{snmpsim.port}", module_name("cisco"), "cisco-c3560")
    temps = net_snmp("snmpbulkwalk", snmpsim.port, v2c("cisco-c3560"), CISCO_TEMP)
    descr = net_snmp("snmpbulkwalk", snmpsim.port, v2c("cisco-c3560"), CISCO_TEMP_DESCR)
    assert temps
    got = samples["ciscoEnvMonTemperatureStatusValue"]
    assert {s[0]["ciscoEnvMonTemperatureStatusIndex"]: s[1] for s in got} == {
        k: float(v) for k, v in temps.items()
    }
    assert {s[0]["ciscoEnvMonTemperatureStatusDescr"] for s in got} == set(descr.values())


def test_v3_keys_from_the_environment_never_in_the_file(snmpd: Snmpd, tmp_path: Path) -> None:
    config = exporter_config(_settings(snmpd.user), profiles=["net-snmp"])
    text = render(config)
    assert snmpd.auth_key not in text and snmpd.priv_key not in text
    env = {"PROVDC_SNMP_AUTH_KEY": snmpd.auth_key, "PROVDC_SNMP_PRIV_KEY": snmpd.priv_key}
    exporter = start_exporter(config, env)
    try:
        samples = exporter.scrape(f"127.0.0.1:{snmpd.port}", module_name("net-snmp"), V3_AUTH)
    finally:
        exporter.stop()
    auth = ["-v3", "-l", "authPriv", "-u", snmpd.user, "-a", "SHA", "-A", snmpd.auth_key]
    auth += ["-x", "AES", "-X", snmpd.priv_key]
    descr = net_snmp("snmpget", snmpd.port, auth, "1.3.6.1.2.1.1.1.0")[""]
    assert [labels["sysDescr"] for labels, _ in samples["sysDescr"]] == [descr]
    total = net_snmp("snmpget", snmpd.port, auth, "1.3.6.1.4.1.2021.4.5.0")[""]
    assert samples["memTotalReal"][0][1] == float(total)
    oper = net_snmp("snmpbulkwalk", snmpd.port, auth, IF_OPER)
    assert {k: int(v) for k, v in oper.items()} == _by(samples, "ifOperStatus", "ifIndex")


def test_every_profile_loads_in_the_exporter(tmp_path: Path) -> None:
    """snmp_exporter reads its file with yaml.UnmarshalStrict: an unknown key or type fails here."""
    secrets = ExporterSecrets("auth-key-1234", "priv-key-1234", community="c0mm")
    path = write_config(tmp_path / "snmp.yml", exporter_config(_settings(), secrets))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    out = subprocess.run(
        [str(EXPORTER), f"--config.file={path}", "--dry-run"], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    modules = yaml.safe_load(path.read_text())["modules"]
    assert set(modules) == {module_name(n) for n in ["standard", *profile_names()]}


def test_hostile_user_stays_one_yaml_string() -> None:
    user = 'x": y\n  version: 1 # ${HOME}'
    loaded = yaml.safe_load(render(exporter_config(_settings(user))))
    assert loaded["auths"][V3_AUTH]["username"] == user
    assert loaded["auths"][V3_AUTH]["version"] == 3


def test_unsupported_priv_protocol_is_an_error() -> None:
    with pytest.raises(MonitoringError, match="3DES"):
        exporter_config(SnmpSettings("u", "SHA", "3DES", "file:a", "file:p"))


def test_four_part_index_keeps_every_row(v2c_exporter: Exporter, snmpsim: Snmpsim) -> None:
    """jnxOperatingTable is indexed by four numbers: each row stays its own series."""
    samples = v2c_exporter.scrape(f"127.0.0.1:{snmpsim.port}", module_name("juniper"), "juniper-mx960")
    temps = net_snmp("snmpbulkwalk", snmpsim.port, v2c("juniper-mx960"), "1.3.6.1.4.1.2636.3.1.13.1.7")
    parts = ("jnxOperatingContentsIndex", "jnxOperatingL1Index", "jnxOperatingL2Index", "jnxOperatingL3Index")
    got = {".".join(labels[p] for p in parts): value for labels, value in samples["jnxOperatingTemp"]}
    assert len(temps) > 1 and got == {k: float(v) for k, v in temps.items()}
