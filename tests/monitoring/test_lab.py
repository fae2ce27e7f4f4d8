"""Live against the lab: its routers' snmpd over SNMPv3 authPriv with the lab target's keys.

A WAN circuit cut with the lab's own command must show as a failed, critical link check, as
`snmpget -On` inside the router's network namespace sees it. snmpd caches its interface table a
few seconds, so both sides are polled until a deadline. The link is restored in the teardown.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests_cli import Cli

from provdc.inventory import load_inventory, load_target, secret
from provdc.inventory.targets import state_dir

pytestmark = pytest.mark.lab
IF_OPER = "1.3.6.1.2.1.2.2.1.8"
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
OPER = {"1": "up", "2": "down", "7": "lowerLayerDown"}


def _commune_router(lab: Any) -> Any:
    routers = [n for n in lab.of_kind("router") if n.site.startswith("com-")]
    assert routers, "the lab has no commune router"
    return routers[0]


def _snmp_in_netns(node: Any, *args: str) -> str:
    inv, target = load_inventory(), load_target("lab")
    user = inv.services.snmp
    tool, *oids = args
    cmd = [
        "ip",
        "netns",
        "exec",
        node.namespace,
        tool,
        "-v3",
        "-l",
        "authPriv",
        "-u",
        user.user,
        "-a",
        user.auth,
        "-A",
        secret(target.snmp.auth_key_ref),
        "-x",
        user.priv,
        "-X",
        secret(target.snmp.priv_key_ref),
        "-On",
        "-Oq",
        "-Oe",
        "-t",
        "2",
        "-r",
        "1",
        f"{node.mgmt_address}:{target.snmp.port}",
        *oids,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=True).stdout


def _walk(node: Any, column: str) -> dict[str, str]:
    """ifIndex → value of one column, read inside the router's namespace."""
    rows = {}
    for line in _snmp_in_netns(node, "snmpbulkwalk", column).splitlines():
        oid, _, value = line.partition(" ")
        rows[oid.rsplit(".", 1)[1]] = value.strip().strip('"')
    return rows


def _poll(provdc_cli: Cli, site: str) -> dict[str, Any]:
    out = provdc_cli(
        "monitor", "poll", "--target", "lab", "--site", site, "--format", "json", "--deadline", "8"
    )
    assert out.returncode == 0, out.stderr
    devices = json.loads(out.stdout)["devices"]
    assert len(devices) == 1
    device: dict[str, Any] = devices[0]
    return device


def _check(device: dict[str, Any], name: str) -> dict[str, Any]:
    check: dict[str, Any] = next(c for c in device["checks"] if c["name"] == name)
    return check


@pytest.fixture
def cut_link(lab: Any, provdc_cli: Cli) -> Iterator[Any]:
    node = _commune_router(lab)
    yield node
    out = provdc_cli("lab", "link", node.site, "up")
    assert out.returncode == 0, out.stderr
    wan = next(i for i, name in _walk(node, IF_NAME).items() if name == "wan0")
    deadline = time.monotonic() + 60  # snmpd's interface cache: wait until it sees the link back
    while _walk(node, IF_OPER).get(wan) != "1" and time.monotonic() < deadline:
        time.sleep(1)
    assert _walk(node, IF_OPER).get(wan) == "1", "wan0 did not come back up"


def test_lab_router_polled_over_v3(lab: Any, provdc_cli: Cli) -> None:
    node = _commune_router(lab)
    device = _poll(provdc_cli, node.site)
    assert device["reachable"] and device["error"] is None, device["error"]
    assert device["name"] == node.name and device["address"] == node.mgmt_address
    assert device["profile"] == "net-snmp"
    names = _walk(node, IF_NAME)
    opers = _walk(node, IF_OPER)
    got = {i["name"]: i for i in device["interfaces"]}
    assert set(got) == set(names.values())
    for index, name in names.items():
        assert got[name]["index"] == int(index)
        assert got[name]["oper_status"] == OPER.get(opers[index], opers[index])
    assert _check(device, "link wan0")["status"] == "ok"


def test_wan_link_down_is_a_failed_check(lab: Any, provdc_cli: Cli, cut_link: Any) -> None:
    node = cut_link
    out = provdc_cli("lab", "link", node.site, "down")
    assert out.returncode == 0, out.stderr
    deadline = time.monotonic() + 40
    device: dict[str, Any] = {}
    while time.monotonic() < deadline:
        device = _poll(provdc_cli, node.site)
        if _check(device, "link wan0")["status"] == "failed":
            break
        time.sleep(1)
    check = _check(device, "link wan0")
    assert check["status"] == "failed" and check["severity"] == "critical", check
    assert device["reachable"]  # out of band: management still answers with the WAN down
    wan = next(i for i in device["interfaces"] if i["name"] == "wan0")
    independent = _snmp_in_netns(node, "snmpget", f"{IF_OPER}.{wan['index']}").split()[-1]
    assert independent != "1" and wan["oper_status"] != "up"


def test_every_lab_router_answers(lab: Any, provdc_cli: Cli) -> None:
    """The whole lab in one poll: every router and PE of the lab status, each over SNMPv3."""
    out = provdc_cli("monitor", "poll", "--target", "lab", "--format", "json", "--deadline", "15")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    by_name = {d["name"]: d for d in data["devices"]}
    wanted = {n.name: n for n in lab.nodes if n.kind in ("router", "pe")}
    assert set(wanted) <= set(by_name)
    for name, node in wanted.items():
        device = by_name[name]
        assert device["reachable"], (name, device["error"])
        assert device["address"] == node.mgmt_address
        assert device["sys_object_id"].startswith("1.3.6.1.4.1.8072.")
    routers = [n for n in wanted.values() if n.kind == "router" and n.site.startswith(("com-", "dist-"))]
    down = [n.name for n in routers if _check(by_name[n.name], "link wan0")["status"] != "ok"]
    assert routers and not down


@pytest.fixture
def nobody_home() -> Iterator[Path]:
    """A home for `nobody` outside pytest's root-only temporary folders."""
    home = Path(tempfile.mkdtemp(prefix="provdc-nobody-"))
    os.chmod(home, 0o700)
    user = pwd.getpwnam("nobody")
    os.chown(home, user.pw_uid, user.pw_gid)
    yield home
    shutil.rmtree(home)


def test_a_user_without_root_polls_the_lab(lab: Any, nobody_home: Path) -> None:
    """`monitor poll --target lab` as `nobody`, with its own 0600 copy of the lab's SNMP keys.

    The lab's own key files stay root's; everything else the poll reads (the target, the lab's
    record, the inventory, the venv) must be readable by any user.
    """
    node = _commune_router(lab)
    target = load_target("lab")
    nobody = pwd.getpwnam("nobody")
    home = nobody_home
    keys = {}
    for name, ref in (("auth", target.snmp.auth_key_ref), ("priv", target.snmp.priv_key_ref)):
        keys[name] = home / name
        keys[name].write_text(secret(ref) + "\n", encoding="utf-8")
        os.chmod(keys[name], 0o600)
        os.chown(keys[name], nobody.pw_uid, nobody.pw_gid)
    as_nobody = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
    poll = [sys.executable, "-m", "provdc", "monitor", "poll", "--target", "lab", "--site", node.site]
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "PROVDC_STATE": str(state_dir())}
    readable = subprocess.run([*as_nobody, sys.executable, "-c", "import provdc.app"], env=env, check=False)
    if readable.returncode != 0:
        pytest.skip("this checkout or its venv is not readable by other users (a folder above is private)")
    denied = subprocess.run([*as_nobody, *poll], capture_output=True, text=True, env=env, timeout=120)
    assert denied.returncode == 1 and "Permission denied" in denied.stderr  # the lab's keys are root's
    options = ["--auth-key-file", str(keys["auth"]), "--priv-key-file", str(keys["priv"]), "--format", "json"]
    out = subprocess.run(
        [*as_nobody, *poll, *options], capture_output=True, text=True, env=env, timeout=120, cwd=home
    )
    assert out.returncode == 0, out.stderr
    device = json.loads(out.stdout)["devices"][0]
    assert device["name"] == node.name and device["reachable"], device
    assert _check(device, "link wan0")["status"] == "ok"
