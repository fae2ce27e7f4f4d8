"""Inventory strings reach Ansible as text, never as templates: real ansible-playbook on localhost.

The inventory is fed exactly as `provdc hosts apply` feeds it (roles/runvars.run_files: a dynamic
inventory script), and the values go through the roles' own default expressions and the
snmp_agent template. A control run with the strings left plain shows the attack does run.
"""

import dataclasses
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from provdc.hosts.apply import ansible_playbook
from provdc.hosts.runvars import run_files
from provdc.inventory import load_inventory
from provdc.inventory.export_ansible import ansible_inventory
from provdc.inventory.model import Inventory

ROLES = Path(__file__).resolve().parents[2] / "roles"
KEY = "k" * 16


def _hostile(tmp: Path, user: str = "provdc-poller") -> Inventory:
    inv = load_inventory()
    timezone = f"{{{{ lookup('pipe','touch {tmp}/PWNED') }}}}Asia/Ho_Chi_Minh"
    services = dataclasses.replace(inv.services, snmp=dataclasses.replace(inv.services.snmp, user=user))
    return dataclasses.replace(
        inv, province=dataclasses.replace(inv.province, timezone=timezone), services=services
    )


def _playbook(tmp: Path) -> Path:
    book = tmp / "play.yml"
    book.write_text(
        json.dumps(
            [
                {
                    "hosts": "localhost",
                    "gather_facts": False,
                    "vars_files": [
                        str(ROLES / "common/defaults/main.yml"),
                        str(ROLES / "snmp_agent/defaults/main.yml"),
                    ],
                    "vars": {"snmp_agent_auth_key": KEY, "snmp_agent_priv_key": KEY},
                    "tasks": [
                        {"ansible.builtin.copy": {"content": "{{ common_timezone }}", "dest": f"{tmp}/tz"}},
                        {
                            "ansible.builtin.template": {
                                "src": str(ROLES / "snmp_agent/templates/snmpd.conf.j2"),
                                "dest": f"{tmp}/snmpd.conf",
                            }
                        },
                    ],
                }
            ]
        ),
        encoding="utf-8",
    )
    return book


def _run(
    inv: Inventory, tmp: Path, plain: bool = False, extra: dict[str, Any] | None = None
) -> subprocess.CompletedProcess[str]:
    with run_files(inv, extra or {}) as files:
        if plain:  # the control: the same export with every unsafe mark taken off
            data = files.folder / "inventory.json"
            data.write_text(json.dumps(_strip(json.loads(data.read_text(encoding="utf-8")))))
        cmd = [ansible_playbook(), "-i", str(files.inventory), "-i", "localhost,", "-c", "local"]
        cmd += ["-e", f"@{files.extra_vars}"]
        return subprocess.run(
            [*cmd, str(_playbook(tmp))],
            capture_output=True,
            text=True,
            timeout=300,
            env={"PATH": "/usr/bin:/bin", "ANSIBLE_LOCAL_TEMP": str(tmp / "t"), "HOME": str(tmp)},
        )


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: _strip(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def test_every_exported_string_is_marked_unsafe() -> None:
    data = json.loads(json.dumps(ansible_inventory(load_inventory())))
    strings: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict) and set(value) != {"__ansible_unsafe"}:
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            strings.append(value)

    walk(data["_meta"])
    walk(data["all"]["vars"])
    assert strings == []


def test_jinja_in_the_timezone_never_runs(tmp_path: Path) -> None:
    run = _run(_hostile(tmp_path), tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (tmp_path / "PWNED").exists()
    assert (tmp_path / "tz").read_text() == _hostile(tmp_path).province.timezone
    snmpd = (tmp_path / "snmpd.conf").read_text().splitlines()
    assert [line.split()[0] for line in snmpd if not line.startswith("#")] == [
        "agentaddress",
        "sysLocation",
        "sysContact",
        "sysName",
        "sysServices",
        "createUser",
        "rouser",
        "includeAllDisks",
        "dontLogTCPWrappersConnects",
    ]


def test_control_plain_strings_do_run(tmp_path: Path) -> None:
    """Without the marks Ansible templates the value: proof the test above can fail."""
    _run(_hostile(tmp_path), tmp_path, plain=True)
    assert (tmp_path / "PWNED").exists()


def test_jinja_in_a_secret_or_override_never_runs(tmp_path: Path) -> None:
    """Extra vars (the target's secrets, --set values) go through the same marks as the inventory."""
    hostile = f"{{{{ lookup('pipe','touch {tmp_path}/PWNED') }}}}"
    run = _run(load_inventory(), tmp_path, extra={"snmp_agent_auth_key": hostile + KEY})
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (tmp_path / "PWNED").exists()
    assert f'"{hostile}{KEY}"' in (tmp_path / "snmpd.conf").read_text()


@pytest.mark.parametrize("brk", ["\n", "\u2028"])
def test_a_line_break_in_the_snmp_user_adds_no_line(tmp_path: Path, brk: str) -> None:
    assert _run(_hostile(tmp_path), tmp_path).returncode == 0
    benign = (tmp_path / "snmpd.conf").read_text()
    run = _run(_hostile(tmp_path, f"provdc-poller{brk}rwcommunity public default"), tmp_path)
    assert run.returncode != 0
    assert "snmp_agent_user must be one token" in run.stdout + run.stderr
    assert (tmp_path / "snmpd.conf").read_text() == benign
    assert not (tmp_path / "PWNED").exists()
