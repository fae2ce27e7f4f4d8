"""Helpers for the live lab tests: independent reads with net-snmp, vtysh and ip."""

import json
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest

from provdc.inventory import load_target, secret
from provdc.inventory.targets import Target


@pytest.fixture(scope="session")
def lab_target() -> Target:
    return load_target("lab")


def snmp_v3_args(target: Target, user: str) -> list[str]:
    return [
        "-v3",
        "-l",
        "authPriv",
        "-u",
        user,
        "-a",
        "SHA",
        "-A",
        secret(target.snmp.auth_key_ref),
        "-x",
        "AES",
        "-X",
        secret(target.snmp.priv_key_ref),
        "-On",
        "-t",
        "2",
        "-r",
        "1",
    ]


def snmp_lines(cmd: list[str]) -> dict[str, str]:
    """`OID = TYPE: value` lines of net-snmp (-On) as {oid: value}."""
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=30).stdout
    result = {}
    for line in out.splitlines():
        oid, _, rest = line.partition(" = ")
        result[oid.strip()] = rest.split(": ", 1)[-1].strip().strip('"')
    return result


def ip_links(namespace: str) -> list[dict[str, Any]]:
    out = subprocess.run(
        ["ip", "-n", namespace, "-j", "link", "show"], capture_output=True, text=True, check=True
    )
    return list(json.loads(out.stdout))


def vtysh_json(namespace: str, command: str) -> Any:
    out = subprocess.run(
        ["vtysh", "-N", namespace, "-c", command], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def until(check: Callable[[], Any], timeout: float, every: float = 0.5) -> Any:
    """Poll `check` until it returns something truthy or the deadline passes (returns the last value)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)
