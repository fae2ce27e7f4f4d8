"""The poller against snmpsim replaying recordings of real devices; expected values read with net-snmp."""

from __future__ import annotations

import pytest
from snmp_agents import Snmpsim, net_snmp, v2c

from provdc.inventory import load_inventory
from provdc.monitoring.poller import PollOptions
from provdc.monitoring.profiles import profile, profile_for
from provdc.monitoring.results import Agent, DeviceResult
from provdc.monitoring.run import poll_and_check
from provdc.monitoring.snmp import V2c

pytestmark = pytest.mark.snmpsim

IF_OPER = {"1": "up", "2": "down", "3": "testing", "4": "unknown", "5": "dormant", "6": "notPresent"}
EXPECTED_PROFILE = {
    "cisco-c3560": "cisco",
    "huawei-s5720": "huawei",
    "juniper-mx960": "juniper",
    "netapp-fas3270": "netapp",
    "hp-oa": "hp-oa",
    "apc-pdu": "apc-pdu",
}


def _poll(sim: Snmpsim, community: str, forced: str | None = None) -> DeviceResult:
    agent = Agent(community, "127.0.0.1", sim.port, V2c(community), profile=forced)
    options = PollOptions(timeout=3, retries=1, deadline=60)
    return poll_and_check([agent], load_inventory().thresholds, options)[0]


@pytest.fixture(scope="module")
def polled(snmpsim: Snmpsim) -> dict[str, DeviceResult]:
    """Every recording in one poll: agents on one address told apart by their community."""
    agents = [Agent(c, "127.0.0.1", snmpsim.port, V2c(c)) for c in EXPECTED_PROFILE]
    options = PollOptions(timeout=3, retries=1, deadline=60, concurrency=2)  # fewer slots than agents
    results = poll_and_check(agents, load_inventory().thresholds, options)
    return {r.name: r for r in results}


@pytest.mark.parametrize("community", sorted(EXPECTED_PROFILE))
def test_system_group_and_profile(snmpsim: Snmpsim, polled: dict[str, DeviceResult], community: str) -> None:
    result = polled[community]
    system = net_snmp("snmpget", snmpsim.port, v2c(community), "1.3.6.1.2.1.1.2.0")
    oid = system[""].lstrip(".")
    assert result.reachable and result.error is None
    assert result.sys_object_id == oid
    assert result.profile == EXPECTED_PROFILE[community] == profile_for(oid)
    uptime = net_snmp("snmpget", snmpsim.port, v2c(community), "1.3.6.1.2.1.1.3.0")[""]
    assert result.uptime_s is not None and abs(result.uptime_s - int(uptime) / 100) < 600


@pytest.mark.parametrize("community", sorted(EXPECTED_PROFILE))
def test_interfaces_match_snmpbulkwalk(
    snmpsim: Snmpsim, polled: dict[str, DeviceResult], community: str
) -> None:
    auth = v2c(community)
    oper = net_snmp("snmpbulkwalk", snmpsim.port, auth, "1.3.6.1.2.1.2.2.1.8")
    hc_in = net_snmp("snmpbulkwalk", snmpsim.port, auth, "1.3.6.1.2.1.31.1.1.1.6")
    names = net_snmp("snmpbulkwalk", snmpsim.port, auth, "1.3.6.1.2.1.31.1.1.1.1")
    got = {str(i.index): i for i in polled[community].interfaces}
    assert set(got) == set(oper) | set(hc_in)
    for index, iface in got.items():
        assert iface.oper_status == IF_OPER.get(oper.get(index, ""), oper.get(index))
        assert iface.in_octets == (int(hc_in[index]) if index in hc_in else None)
        if names.get(index):
            assert iface.name == names[index]


def _column(sim: Snmpsim, community: str, name: str, column: str) -> dict[str, str]:
    group = next(g for g in profile(EXPECTED_PROFILE[community]).groups if g.name == name)
    return net_snmp("snmpbulkwalk", sim.port, v2c(community), group.columns[column].oid)


def test_cisco_envmon_temperature_and_state(snmpsim: Snmpsim, polled: dict[str, DeviceResult]) -> None:
    values = _column(snmpsim, "cisco-c3560", "ciscoEnvMonTemperature", "ciscoEnvMonTemperatureStatusValue")
    states = _column(snmpsim, "cisco-c3560", "ciscoEnvMonTemperature", "ciscoEnvMonTemperatureState")
    temps = [s for s in polled["cisco-c3560"].sensors if s.kind == "temperature"]
    assert values and [t.value for t in temps] == [float(v) for v in values.values()]
    checks = {c.name: c for c in polled["cisco-c3560"].checks}
    for temp, state in zip(temps, states.values(), strict=True):
        check = checks[f"temperature {temp.name}"]
        if state == "1":
            assert check.status == "ok" or (temp.value is not None and temp.value >= 45)
        else:  # the recording's switch reports a non-normal state: the check must fail
            assert check.status == "failed", check
            assert check.severity == ("warning" if state == "2" else "critical")


def test_psu_and_fan_states(snmpsim: Snmpsim, polled: dict[str, DeviceResult]) -> None:
    for community, group, column, kind in [
        ("cisco-c3560", "ciscoEnvMonSupply", "ciscoEnvMonSupplyState", "psu"),
        ("cisco-c3560", "ciscoEnvMonFan", "ciscoEnvMonFanState", "fan"),
        ("hp-oa", "cpqRackPowerSupply", "cpqRackPowerSupplyCondition", "psu"),
        ("hp-oa", "cpqRackCommonEnclosureFan", "cpqRackCommonEnclosureFanCondition", "fan"),
    ]:
        states = _column(snmpsim, community, group, column)
        spec = next(g for g in profile(EXPECTED_PROFILE[community]).groups if g.name == group)
        want = [spec.enums[column][int(v)] for v in states.values()]
        got = [s.status for s in polled[community].sensors if s.kind == kind]
        assert want and got == want, (community, group)


def test_juniper_and_huawei_values(snmpsim: Snmpsim, polled: dict[str, DeviceResult]) -> None:
    temps = _column(snmpsim, "juniper-mx960", "jnxOperating", "jnxOperatingTemp")
    got = [s.value for s in polled["juniper-mx960"].sensors if s.kind == "temperature"]
    assert got == [float(v) for v in temps.values() if int(v) >= 1]
    cpu = _column(snmpsim, "huawei-s5720", "hwEntityState", "hwEntityCpuUsage")
    got = [s.value for s in polled["huawei-s5720"].sensors if s.kind == "cpu"]
    assert got == [float(v) for v in cpu.values() if int(v) >= 1]


def test_netapp_counters_and_cpu_check(snmpsim: Snmpsim, polled: dict[str, DeviceResult]) -> None:
    scalars = net_snmp("snmpget", snmpsim.port, v2c("netapp-fas3270"), "1.3.6.1.4.1.789.1.2.1.3.0")
    result = polled["netapp-fas3270"]
    cpu = next(s for s in result.sensors if s.kind == "cpu")
    assert cpu.value == float(scalars[""])
    check = next(c for c in result.checks if c.name == "cpu cpu")
    assert check.status == ("failed" if cpu.value >= 80 else "ok")
    assert {s.kind for s in result.sensors} >= {"fan_failures", "psu_failures", "disk_failures"}


def test_apc_pdu_load(snmpsim: Snmpsim, polled: dict[str, DeviceResult]) -> None:
    load = _column(snmpsim, "apc-pdu", "rPDULoadStatus", "rPDULoadStatusLoad")
    got = [s.value for s in polled["apc-pdu"].sensors if s.kind == "pdu_load"]
    assert got == [round(int(v) * 0.1, 2) for v in load.values()]


def test_rfc1628_ups(snmpsim: Snmpsim) -> None:
    result = _poll(snmpsim, "huawei-ups", forced="ups")
    status = net_snmp("snmpget", snmpsim.port, v2c("huawei-ups"), "1.3.6.1.2.1.33.1.4.1.0")[""]
    source = next(s for s in result.sensors if s.kind == "ups_source")
    names = {"3": "normal", "5": "battery", "4": "bypass"}
    assert source.status == names.get(status, source.status)
    check = next(c for c in result.checks if c.name.startswith("ups_source"))
    assert check.status == ("ok" if status == "3" else "failed")
    # the recording says -1 minutes (unknown): no runtime reading rather than a false alarm
    minutes = net_snmp("snmpget", snmpsim.port, v2c("huawei-ups"), "1.3.6.1.2.1.33.1.2.3.0")[""]
    runtime = [s for s in result.sensors if s.kind == "ups_runtime"]
    assert (runtime == []) == (int(minutes) < 0)
