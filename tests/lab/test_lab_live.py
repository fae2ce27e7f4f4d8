"""The running lab against its real parts: ping, net-snmp, netmiko over SSH, vtysh, ip."""

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from netmiko import ConnectHandler

from provdc.inventory import load_inventory, secret
from provdc.inventory.model import Site
from provdc.inventory.platforms import PLATFORMS
from provdc.inventory.targets import Target
from provdc.lab.status import LabStatus, NodeStatus

from .conftest import ip_links, snmp_lines, snmp_v3_args, until, vtysh_json

pytestmark = pytest.mark.lab
IF_DESCR, IF_MTU, IF_PHYS, IF_OPER = (f"1.3.6.1.2.1.2.2.1.{c}" for c in (2, 4, 6, 8))


def _communes(lab: LabStatus) -> list[tuple[NodeStatus, Site]]:
    inv = load_inventory()
    return [
        (n, inv.sites[n.site])
        for n in lab.of_kind("router")
        if n.site in inv.sites and inv.sites[n.site].kind == "commune"
    ]


def test_every_node_is_up_in_its_own_namespace(lab: LabStatus) -> None:
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    names = {line.split()[0] for line in listed.splitlines() if line.strip()}
    assert lab.nodes and all(n.state == "up" for n in lab.nodes)
    assert {n.namespace for n in lab.nodes} <= names
    assert {"router", "pe", "host"} == {n.kind for n in lab.nodes}


def test_every_commune_lan_answers_ping_from_the_dc_core(lab: LabStatus) -> None:
    dc = lab.node("dc")
    targets = [str(lan.gateway) for _, site in _communes(lab) for lan in site.lans]
    assert len(targets) >= 24 * 3

    def ping(address: str) -> tuple[str, int]:
        cmd = ["ip", "netns", "exec", dc.namespace, "ping", "-c", "1", "-W", "2", address]
        return address, subprocess.run(cmd, capture_output=True, check=False).returncode

    with ThreadPoolExecutor(max_workers=16) as pool:
        failed = [a for a, rc in pool.map(ping, targets) if rc != 0]
    assert failed == []


def test_if_mib_walk_matches_the_routers_namespace(lab: LabStatus, lab_target: Target) -> None:
    node, _ = _communes(lab)[0]
    user = node.snmp["v3"]["user"]
    walk = snmp_lines(
        ["snmpwalk", *snmp_v3_args(lab_target, user), node.snmp["address"], "1.3.6.1.2.1.2.2.1"]
    )
    links = ip_links(node.namespace)
    by_index = {
        int(oid.rsplit(".", 1)[1]): v for oid, v in walk.items() if oid.startswith("." + IF_DESCR + ".")
    }
    assert by_index == {link["ifindex"]: link["ifname"] for link in links}
    for link in links:
        i = link["ifindex"]
        assert int(walk[f".{IF_MTU}.{i}"]) == link["mtu"]
        if link["ifname"] in ("wan0", "lan0"):
            assert walk[f".{IF_OPER}.{i}"] == "1" and link["operstate"] == "UP"
            assert walk[f".{IF_PHYS}.{i}"].lower().replace(" ", ":") == link["address"]


def test_v2c_community_answers_with_the_routers_hostname(lab: LabStatus) -> None:
    node = lab.of_kind("pe")[0]
    got = snmp_lines(
        ["snmpget", "-v2c", "-c", node.snmp["community"], "-On", node.snmp["address"], "1.3.6.1.2.1.1.5.0"]
    )
    assert got == {".1.3.6.1.2.1.1.5.0": node.name}


@pytest.mark.parametrize("auth", ["password", "key"])
def test_running_config_over_ssh_with_netmiko(lab: LabStatus, lab_target: Target, auth: str) -> None:
    node, site = _communes(lab)[-1]
    access = lab_target.devices
    creds = (
        {"password": secret(access.password_ref)}
        if auth == "password" and access.password_ref
        else {"use_keys": True, "key_file": access.key_file}
    )
    conn = ConnectHandler(
        device_type=PLATFORMS["frr"].netmiko_device_type,
        host=node.ssh["address"],
        port=node.ssh["port"],
        username=secret(access.username_ref),
        ssh_strict=True,
        system_host_keys=False,
        alt_host_keys=True,
        alt_key_file=access.known_hosts,
        allow_agent=False,
        **creds,
    )
    try:
        over_ssh = conn.send_command("vtysh -c 'show running-config'")
    finally:
        conn.disconnect()
    local = subprocess.run(
        ["vtysh", "-N", node.namespace, "-c", "show running-config"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"hostname {site.router.hostname}" in over_ssh
    assert f"router bgp {site.router.asn}" in over_ssh
    assert isinstance(over_ssh, str)
    assert over_ssh.strip().splitlines()[-5:] == local.strip().splitlines()[-5:]


def test_lab_hosts_answer_ssh_in_their_own_namespaces(lab: LabStatus, lab_target: Target) -> None:
    assert lab_target.hosts is not None and lab_target.hosts.key_file
    for host in lab.of_kind("host"):
        cmd = [
            "ssh",
            "-i",
            lab_target.hosts.key_file,
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            f"UserKnownHostsFile={lab_target.hosts.known_hosts}",
            f"{host.ssh['username']}@{host.ssh['address']}",
            "hostname; sudo -n id -u; readlink /proc/self/ns/pid; cat /proc/1/comm",
        ]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=30).stdout.split()
        assert out[0] == host.name  # own UTS namespace
        assert out[1] == "0"  # passwordless sudo for Ansible's become
        assert out[2] != os.readlink("/proc/self/ns/pid")  # own PID namespace
        assert out[3] == "python3"  # whose PID 1 is the host's own init, not the machine's
    machine = subprocess.run(["hostname"], capture_output=True, text=True, check=True).stdout.strip()
    assert machine not in {h.name for h in lab.of_kind("host")}


def test_wan_link_down_is_seen_in_snmp_and_bgp(lab: LabStatus, lab_target: Target, provdc_cli) -> None:  # type: ignore[no-untyped-def]
    node, site = _communes(lab)[1]
    wan = next(link for link in ip_links(node.namespace) if link["ifname"] == "wan0")
    oid = f"{IF_OPER}.{wan['ifindex']}"
    snmp = ["snmpget", *snmp_v3_args(lab_target, node.snmp["v3"]["user"]), node.snmp["address"], oid]
    peer = str(site.wan.pe_address)

    def bgp_state() -> str:
        return str(vtysh_json(node.namespace, f"show bgp neighbors {peer} json")[peer]["bgpState"])

    assert bgp_state() == "Established"
    result = provdc_cli("lab", "link", site.id, "down")
    assert result.returncode == 0, result.stderr
    try:
        # snmpd caches its interface table for a few seconds: poll to a deadline
        oper = until(lambda: snmp_lines(snmp)["." + oid] in ("2", "7") and snmp_lines(snmp)["." + oid], 30)
        assert oper in ("2", "7")  # down or lowerLayerDown
        assert until(lambda: bgp_state() != "Established", 15)
        assert (
            ip_links(node.namespace)
            and next(link for link in ip_links(node.namespace) if link["ifname"] == "wan0")["operstate"]
            != "UP"
        )
    finally:
        restored = provdc_cli("lab", "link", site.id, "up")
    assert restored.returncode == 0, restored.stderr
    assert until(lambda: bgp_state() == "Established", 60)
    assert until(lambda: snmp_lines(snmp)["." + oid] == "1", 30)


def test_status_json_has_the_documented_shape(lab: LabStatus, provdc_cli) -> None:  # type: ignore[no-untyped-def]
    import json

    result = provdc_cli("lab", "status", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"nodes", "services"}
    for node in data["nodes"]:
        assert set(node) >= {"name", "kind", "site", "namespace", "mgmt_address", "snmp", "ssh", "state"}
        assert node["kind"] in ("router", "pe", "host")
        assert set(node["snmp"]) >= {"address", "port", "community", "v3"}
        assert set(node["ssh"]) == {"address", "port", "username"}
        assert node["state"] == "up"
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    assert all(n["namespace"] in listed for n in data["nodes"])


def test_exec_enters_the_node(lab: LabStatus, provdc_cli) -> None:  # type: ignore[no-untyped-def]
    host = lab.of_kind("host")[0]
    result = provdc_cli(
        "lab", "exec", host.name, "--", "sh", "-c", "hostname; readlink /proc/self/ns/pid /proc/self/ns/mnt"
    )
    assert result.returncode == 0, result.stderr
    name, pid_ns, mnt_ns = result.stdout.split()
    assert name == host.name  # the host's own UTS namespace
    assert pid_ns != os.readlink("/proc/self/ns/pid") and mnt_ns != os.readlink("/proc/self/ns/mnt")
    router = lab.of_kind("router")[0]
    result = provdc_cli("lab", "exec", router.name, "--", "vtysh", "-c", "show version")
    assert result.returncode == 0, result.stderr
    assert f"({router.name})" in result.stdout
    missing = provdc_cli("lab", "exec", "no-such-node", "--", "true")
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "no node 'no-such-node'" in missing.stderr


def test_a_hosts_hostname_change_never_reaches_the_machine(lab: LabStatus, provdc_cli) -> None:  # type: ignore[no-untyped-def]
    import socket

    machine = socket.gethostname()
    host = lab.of_kind("host")[-1]
    try:
        renamed = provdc_cli(
            "lab", "exec", host.name, "--", "sh", "-c", "hostname renamed-by-test && hostname"
        )
        assert renamed.returncode == 0, renamed.stderr
        assert renamed.stdout.split() == ["renamed-by-test"]
        assert socket.gethostname() == machine
    finally:
        provdc_cli("lab", "exec", host.name, "--", "hostname", host.name)
    back = provdc_cli("lab", "exec", host.name, "--", "hostname")
    assert back.stdout.strip() == host.name
