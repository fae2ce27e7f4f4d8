"""The roles' shape: argument specs agree with defaults, ansible-lint is clean, the playbook parses."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from provdc.hosts.selection import PLAYBOOK, playbook_roles

ROLES_DIR = PLAYBOOK.parent
ROLES = sorted(p.name for p in ROLES_DIR.iterdir() if (p / "tasks" / "main.yml").is_file())
PHASES = ["preflight", "install", "configure", "service"]


def test_every_role_is_there() -> None:
    assert ROLES == [
        "common",
        "dns_server",
        "hardening",
        "internal_ca",
        "log_forwarding",
        "nms",
        "ntp_server",
        "postgresql",
        "reverse_proxy",
        "snmp_agent",
        "soc_collector",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_argument_specs_and_defaults_agree(role: str) -> None:
    defaults = yaml.safe_load((ROLES_DIR / role / "defaults" / "main.yml").read_text(encoding="utf-8"))
    specs = yaml.safe_load((ROLES_DIR / role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    options = specs["argument_specs"]["main"]["options"]
    assert set(defaults) == set(options), (
        f"{role}: only in defaults {set(defaults) - set(options)}, "
        f"only in specs {set(options) - set(defaults)}"
    )
    types = {"str": str, "int": int, "bool": bool, "list": list, "dict": dict}
    for name, value in defaults.items():
        assert name.startswith(role + "_"), f"{role}: {name} is not prefixed with the role's name"
        assert options[name].get("description"), f"{role}: {name} has no description"
        templated = isinstance(value, str) and "{{" in value
        if not templated:
            assert isinstance(value, types[options[name]["type"]]), (
                f"{role}: {name} is not {options[name]['type']}"
            )


@pytest.mark.parametrize("role", ROLES)
def test_main_orchestrates_the_phases_with_tags(role: str) -> None:
    main = yaml.safe_load((ROLES_DIR / role / "tasks" / "main.yml").read_text(encoding="utf-8"))
    assert [Path(t["ansible.builtin.import_tasks"]).stem for t in main] == PHASES
    assert all(role in t["tags"] for t in main)


def test_every_role_is_played() -> None:
    played = {r for _, roles in playbook_roles() for r in roles}
    assert played == set(ROLES)


def test_validate_before_use() -> None:
    """sshd -t, nft -c, nginx -t run before a file is used (template `validate:`)."""
    text = {r: (ROLES_DIR / r / "tasks" / "configure.yml").read_text(encoding="utf-8") for r in ROLES}
    assert "validate: /usr/sbin/sshd -t -f %s" in text["hardening"]
    assert "validate: /usr/sbin/nft -c -f %s" in text["hardening"]
    assert "validate: /usr/sbin/nginx -t -q -c %s" in text["reverse_proxy"]
    assert "validate: /usr/sbin/rsyslogd -N1 -f %s" in text["soc_collector"]
    assert "validate: /usr/sbin/nsd-checkconf %s" in text["dns_server"]


def test_ansible_lint_is_clean() -> None:
    lint = Path(sys.executable).parent / "ansible-lint"
    if not lint.exists() and not shutil.which("ansible-lint"):
        pytest.fail("ansible-lint is not installed (dev dependency)")
    out = subprocess.run(
        [str(lint) if lint.exists() else "ansible-lint", "--nocolor", "--offline", "-q", str(ROLES_DIR)],
        capture_output=True,
        text=True,
        cwd=ROLES_DIR.parent,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]


def _inventory_script(folder: Path, inventory: Path | None = None) -> Path:
    """An executable printing `provdc inventory export ansible` of `inventory`: Ansible's -i."""
    import json

    from provdc.inventory import load_inventory
    from provdc.inventory.export_ansible import ansible_inventory

    data = folder / "inventory.json"
    data.write_text(json.dumps(ansible_inventory(load_inventory(inventory))), encoding="utf-8")
    script = folder / "inventory.sh"
    script.write_text(f'#!/bin/sh\nexec cat "{data}"\n', encoding="utf-8")
    script.chmod(0o700)
    return script


def test_playbook_syntax(tmp_path: Path) -> None:
    script = _inventory_script(tmp_path)
    out = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            str(script),
            "--syntax-check",
            str(PLAYBOOK),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]


def test_province_facts_reach_the_roles_from_the_inventory(inventory_copy: Path, tmp_path: Path) -> None:
    """Another province's domain, portal and NOC (province.yml) become the roles' DNS zone, portal
    name, certificate names and snmpd's contact: nothing of the shipped province stays in roles/."""
    import json

    from provdc.inventory import load_inventory

    province = inventory_copy / "province.yml"
    text = province.read_text(encoding="utf-8")
    for old, new in (
        ('name: "Hải Dương"', 'name: "Hải Phòng"'),
        ("tslcd.haiduong.gov.vn", "tslcd.haiphong.gov.vn"),
        ("dichvucong.haiduong.gov.vn", "dichvucong.haiphong.gov.vn"),
        ("noc@haiduong.gov.vn", "noc@haiphong.gov.vn"),
    ):
        assert old in text
        text = text.replace(old, new)
    province.write_text(text, encoding="utf-8")
    script = _inventory_script(tmp_path, inventory_copy)
    (tmp_path / "group_vars").symlink_to(ROLES_DIR / "group_vars")  # as beside roles/site.yml
    shown = "{{ {'zone': provdc_dns_zone, 'tls': provdc_tls_names, 'location': snmp_agent_location,"
    shown += " 'contact': snmp_agent_contact} | to_json }}"
    play = [
        {
            "hosts": "reverse_proxy",
            "gather_facts": False,
            "connection": "local",
            "vars": {"ansible_python_interpreter": sys.executable},
            "vars_files": [str(ROLES_DIR / "snmp_agent" / "defaults" / "main.yml")],
            "tasks": [
                {
                    "ansible.builtin.copy": {
                        "content": shown,
                        "dest": f"{tmp_path}/{{{{ inventory_hostname }}}}.json",
                    }
                }
            ],
        }
    ]
    (tmp_path / "show.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    out = subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            str(script),
            str(tmp_path / "show.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    results = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in tmp_path.glob("*.json")}
    results.pop("inventory")
    assert sorted(results) == sorted(
        vm.name for vm in load_inventory().workloads if vm.group == "reverse_proxy"
    )
    for host, result in results.items():
        assert result == {
            "zone": "tslcd.haiphong.gov.vn",
            "tls": ["dichvucong.haiphong.gov.vn"],
            "location": "Hải Phòng provincial data center",
            "contact": "noc@haiphong.gov.vn",
        }, host
