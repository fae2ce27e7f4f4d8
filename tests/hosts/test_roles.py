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


def test_playbook_syntax(tmp_path: Path) -> None:
    import json

    from provdc.inventory import load_inventory
    from provdc.inventory.export_ansible import ansible_inventory

    data = tmp_path / "inventory.json"
    data.write_text(json.dumps(ansible_inventory(load_inventory())), encoding="utf-8")
    script = tmp_path / "inventory.sh"
    script.write_text(f'#!/bin/sh\nexec cat "{data}"\n', encoding="utf-8")
    script.chmod(0o700)
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
