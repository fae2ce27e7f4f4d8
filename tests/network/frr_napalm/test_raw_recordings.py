"""Each main getter against its recorded raw output, read here with plain code of the test's own:
a parser that drops, renames or miscounts something fails, whatever expected_result.json says."""

import json
import re
from pathlib import Path
from typing import Any

from napalm.base.test.double import BaseTestDouble  # type: ignore[import-untyped]

from provdc.network.drivers.frr import FrrDriver
from provdc.network.drivers.shell import Result

MOCKED = Path(__file__).parent / "mocked_data"


class CaseShell:
    """Replays one case folder: each command's output is the file NAPALM's double would read."""

    def __init__(self, test: str) -> None:
        self.folder = MOCKED / test / "normal"

    def run(self, command: str, stdin: str | None = None, timeout: float = 60) -> Result:
        name = BaseTestDouble.sanitize_text(command) + ".txt"
        return Result(0, (self.folder / name).read_text(encoding="utf-8"), "")

    def close(self) -> None:
        pass


def driver(test: str) -> FrrDriver:
    d = FrrDriver("recorded", "nobody", "")
    d.shell = CaseShell(test)
    return d


def raw(test: str, prefix: str) -> str:
    """The text of a case's recorded file named `prefix`, else of the one whose name starts so."""
    folder = MOCKED / test / "normal"
    (path,) = [folder / prefix] if (folder / prefix).is_file() else folder.glob(f"{prefix}*.txt")
    return path.read_text(encoding="utf-8")


def raw_json(test: str, prefix: str) -> Any:
    return json.loads(raw(test, prefix))


def test_facts_from_show_version_and_running_config() -> None:
    facts = driver("test_get_facts").get_facts()
    version_words = raw("test_get_facts", "vtysh__c__show_version").split()
    hostname_line = next(
        line
        for line in raw("test_get_facts", "vtysh__c__show_running").splitlines()
        if line.startswith("hostname ")
    )
    assert facts["os_version"] == version_words[version_words.index("FRRouting") + 1] == "8.4.4"
    assert facts["hostname"] == hostname_line.split()[1] == "ce-d288-hai-duong"
    assert facts["interface_list"] == sorted(raw_json("test_get_facts", "vtysh__c__show_interface"))
    assert facts["uptime"] == float(raw("test_get_facts", "cat__proc_uptime").split()[0])


def test_interfaces_from_show_interface_json() -> None:
    interfaces = driver("test_get_interfaces").get_interfaces()
    shown = raw_json("test_get_interfaces", "vtysh__c__show_interface")
    assert set(interfaces) == set(shown)
    for name, item in shown.items():
        assert interfaces[name]["mtu"] == item["mtu"]
        assert interfaces[name]["is_enabled"] is (item["administrativeStatus"] == "up")
        assert interfaces[name]["is_up"] is (item["operationalStatus"] == "up")
        assert interfaces[name]["description"] == item.get("description", "")
        assert interfaces[name]["mac_address"] == item.get("hardwareAddress", "").upper()
    assert interfaces["wan0"]["description"] == "VNPT-HDG-D288 VNPT 100M to pe-hdg-1"


def test_interfaces_ip_from_show_interface_json() -> None:
    found = {
        (name, address, int(length))
        for name, item in raw_json("test_get_interfaces_ip", "vtysh__c__show_interface").items()
        for address, length in (entry["address"].split("/") for entry in item["ipAddresses"])
    }
    got = {
        (name, address, entry["prefix_length"])
        for name, families in driver("test_get_interfaces_ip").get_interfaces_ip().items()
        for addresses in families.values()
        for address, entry in addresses.items()
    }
    assert got == found
    assert ("lan0", "10.30.64.1", 25) in got and ("lo", "10.30.240.64", 32) in got


def test_interfaces_counters_from_ip_link_json() -> None:
    counters = driver("test_get_interfaces_counters").get_interfaces_counters()
    links = raw_json("test_get_interfaces_counters", "ip__j__s_link")
    assert set(counters) == {link["ifname"] for link in links}
    for link in links:
        rx, tx = link["stats64"]["rx"], link["stats64"]["tx"]
        mine = counters[link["ifname"]]
        assert (mine["rx_octets"], mine["tx_octets"]) == (rx["bytes"], tx["bytes"])
        assert (mine["rx_errors"], mine["tx_errors"]) == (rx["errors"], tx["errors"])
        assert (mine["rx_discards"], mine["tx_discards"]) == (rx["dropped"], tx["dropped"])
        assert mine["rx_multicast_packets"] == rx["multicast"]
        assert mine["rx_unicast_packets"] == rx["packets"] - rx["multicast"]


def test_sent_packets_are_not_reported_as_unicast() -> None:
    """lan0 has no neighbour to send unicast to, yet sent 17 packets: Linux's tx count mixes
    multicast and broadcast in, so sent unicast is unknown (-1), not that count."""
    lan0 = next(
        link for link in raw_json("test_get_interfaces_counters", "ip__j__s_link") if link["ifname"] == "lan0"
    )
    assert lan0["stats64"]["tx"]["packets"] == 17
    arp = raw_json("test_get_arp_table", "ip__j__s__4_neigh")
    assert all(entry["dev"] != "lan0" for entry in arp)
    counters = driver("test_get_interfaces_counters").get_interfaces_counters()
    assert {c["tx_unicast_packets"] for c in counters.values()} == {-1}


def test_arp_table_from_ip_neigh_json() -> None:
    table = driver("test_get_arp_table").get_arp_table()
    recorded = raw_json("test_get_arp_table", "ip__j__s__4_neigh")
    assert [(e["interface"], e["ip"], e["mac"]) for e in table] == [
        (e["dev"], e["dst"], e["lladdr"].upper()) for e in recorded if "lladdr" in e
    ]
    assert ("wan0", "10.30.225.2", "4E:58:FA:87:A9:84") in [
        (e["interface"], e["ip"], e["mac"]) for e in table
    ]


def test_bgp_neighbors_from_bgp_summary_json() -> None:
    bgp = driver("test_get_bgp_neighbors").get_bgp_neighbors()
    summary = raw_json("test_get_bgp_neighbors", "vtysh__c__show_bgp_vrf_all_summary")["default"][
        "ipv4Unicast"
    ]
    neighbors = raw_json("test_get_bgp_neighbors", "vtysh__c__show_bgp_vrf_all_neighbors")["default"]
    assert bgp["global"]["router_id"] == summary["routerId"] == "10.30.240.64"
    assert set(bgp["global"]["peers"]) == set(summary["peers"])
    for address, peer in summary["peers"].items():
        mine = bgp["global"]["peers"][address]
        assert (mine["local_as"], mine["remote_as"]) == (peer["localAs"], peer["remoteAs"])
        assert mine["is_up"] is (peer["state"] == "Established")
        assert mine["uptime"] == peer["peerUptimeMsec"] // 1000
        assert mine["remote_id"] == neighbors[address]["remoteRouterId"]
        ipv4 = mine["address_family"]["ipv4"]
        assert (ipv4["received_prefixes"], ipv4["sent_prefixes"]) == (peer["pfxRcd"], peer["pfxSnt"])
    assert bgp["global"]["peers"]["10.30.225.2"]["remote_as"] == 65030


def test_bgp_neighbors_detail_from_bgp_neighbors_json() -> None:
    detail = driver("test_get_bgp_neighbors_detail").get_bgp_neighbors_detail()
    peer = raw_json("test_get_bgp_neighbors_detail", "vtysh__c__show_bgp_vrf_all_neighbors")["default"][
        "10.30.225.2"
    ]
    (mine,) = detail["global"][peer["remoteAs"]]
    stats = peer["messageStats"]
    assert (mine["input_messages"], mine["output_messages"]) == (stats["totalRecv"], stats["totalSent"])
    assert (mine["input_updates"], mine["output_updates"]) == (stats["updatesRecv"], stats["updatesSent"])
    assert (mine["local_address"], mine["local_port"]) == (peer["hostLocal"], peer["portLocal"])
    assert (mine["remote_address"], mine["remote_port"]) == (peer["hostForeign"], peer["portForeign"])
    assert mine["holdtime"] * 1000 == peer["bgpTimerHoldTimeMsecs"]
    assert mine["keepalive"] * 1000 == peer["bgpTimerKeepAliveIntervalMsecs"]
    family = peer["addressFamilyInfo"]["ipv4Unicast"]
    assert mine["accepted_prefix_count"] == family["acceptedPrefixCounter"]
    assert mine["advertised_prefix_count"] == family["sentPrefixCounter"]


def test_route_to_from_show_ip_route_json() -> None:
    routes = driver("test_get_route_to").get_route_to("1.0.4.0/24", "bgp")
    recorded = raw_json("test_get_route_to", "vtysh__c__show_ip_route")
    assert {
        (prefix, hop["ip"], hop["interfaceName"], route["distance"])
        for prefix, entries in recorded.items()
        for route in entries
        for hop in route["nexthops"]
    } == {
        (p, r["next_hop"], r["outgoing_interface"], r["preference"]) for p, rs in routes.items() for r in rs
    }
    assert routes["1.0.4.0/24"][0]["next_hop"] == "10.30.225.2"


def test_environment_from_proc() -> None:
    env = driver("test_get_environment").get_environment()
    meminfo = {
        key: int(value.split()[0])
        for key, value in (
            line.split(":", 1) for line in raw("test_get_environment", "cat__proc_meminfo").splitlines()
        )
    }
    assert env["memory"]["available_ram"] == meminfo["MemTotal"] * 1024
    assert env["memory"]["used_ram"] == (meminfo["MemTotal"] - meminfo["MemAvailable"]) * 1024
    cpus = re.findall(r"^cpu(\d+) ", raw("test_get_environment", "cat__proc_stat"), re.M)
    assert sorted(env["cpu"]) == sorted(int(n) for n in cpus) == [0, 1]
    assert env["temperature"] == {}  # the recorded thermal-zone listing is empty


def test_users_from_getent_passwd() -> None:
    users = driver("test_get_users").get_users()
    logins = {
        fields[0]: fields[2]
        for fields in (line.split(":") for line in raw("test_get_users", "getent_passwd.txt").splitlines())
        if fields[6] in ("/bin/bash", "/bin/sh")
    }
    assert set(users) == set(logins) == {"root", "cloudsdk", "postgres", "provdc"}
    sudo_members = raw("test_get_users", "getent_group_sudo").strip().split(":")[3]
    assert sudo_members == ""  # so only uid 0 is an administrator
    assert {name for name, user in users.items() if user["level"] == 15} == {
        name for name, uid in logins.items() if uid == "0"
    }


def test_snmp_information_from_snmpd_conf() -> None:
    """No snmpd config came back in the recording, so no community, contact or location; the
    chassis id falls back to the running config's hostname."""
    snmp = driver("test_get_snmp_information").get_snmp_information()
    assert raw("test_get_snmp_information", "pid___ss") == ""
    hostname = re.search(
        r"^hostname (\S+)$", raw("test_get_snmp_information", "vtysh__c__show_running"), re.M
    )
    assert hostname is not None
    assert snmp == {"chassis_id": hostname.group(1), "community": {}, "contact": "", "location": ""}


def test_running_config_is_vtysh_output_without_its_header() -> None:
    running = driver("test_get_config").get_config("running")["running"]
    lines = raw("test_get_config", "vtysh__c__show_running").splitlines()
    body = lines[lines.index("Current configuration:") + 1 :]
    assert running.splitlines() == body
    assert running.startswith("!\nfrr version 8.4.4\n") and running.endswith("\nend\n")
