"""Hostile names stop the central-service roles before anything is written (real ansible-playbook).

Each case runs a role's own preflight tasks against localhost with an inventory that holds the
hostile value; the expected outcome is Ansible's own failure, naming the value.
"""

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from provdc.hosts.selection import PLAYBOOK

PLAY = """- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: {python}
  tasks:
    - ansible.builtin.import_role: {{name: {role}, tasks_from: preflight}}
"""
HOSTS = {"good-1": {"ansible_host": "10.0.0.1"}, "evil": {"ansible_host": "10.0.0.2;reboot"}}


def run_preflight(tmp_path: Path, role: str, extra: Mapping[str, object]) -> subprocess.CompletedProcess[str]:
    inventory = {"_meta": {"hostvars": HOSTS}, "all": {"children": ["vms"]}, "vms": {"hosts": sorted(HOSTS)}}
    data = tmp_path / "inventory.json"
    data.write_text(json.dumps(inventory), encoding="utf-8")
    script = tmp_path / "inventory.sh"
    script.write_text(f'#!/bin/sh\nexec cat "{data}"\n', encoding="utf-8")
    script.chmod(0o700)
    play = tmp_path / "play.yml"
    play.write_text(PLAY.format(python=sys.executable, role=role), encoding="utf-8")
    env = {**os.environ, "ANSIBLE_ROLES_PATH": str(PLAYBOOK.parent), "ANSIBLE_NOCOLOR": "true"}
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            str(script),
            str(play),
            "-e",
            json.dumps(extra),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


DNS = {"provdc_dns_zone": "tslcd.haiduong.gov.vn", "provdc_dns_servers": ["10.0.0.1"]}


def test_dns_zone_of_valid_names_passes(tmp_path: Path) -> None:
    out = run_preflight(tmp_path, "dns_server", {**DNS, "dns_server_names": ["good-1"]})
    assert out.returncode == 0, out.stdout[-2000:]


def test_dns_zone_refuses_hostile_names_and_addresses(tmp_path: Path) -> None:
    """A name that is no DNS label, a name with a dot (a record outside the zone's own labels) and
    an address that is not one: all three named in the one failure."""
    names = ["good-1", "Bad_Name", "x.evil", "evil"]
    out = run_preflight(tmp_path, "dns_server", {**DNS, "dns_server_names": names})
    text = out.stdout.replace("\\", "")
    assert out.returncode != 0
    assert '"Bad_Name"' in text and '"x.evil"' in text and "no IPv4 address: evil" in text, text[-2000:]


def test_certificate_names_must_be_dns_names(tmp_path: Path) -> None:
    hostile = ["good-1 evil", "a/O=evil"]  # a space, and a second subject field for openssl -subj
    base = {"internal_ca_dir": str(tmp_path / "ca"), "internal_ca_addresses": ["10.0.0.1"]}
    for name in hostile:
        out = run_preflight(tmp_path, "internal_ca", {**base, "internal_ca_names": ["good-1", name]})
        assert out.returncode != 0 and "internal_ca needs" in out.stdout, (name, out.stdout[-2000:])
    ok = {**base, "internal_ca_names": ["good-1", "dichvucong.haiduong.gov.vn"]}
    assert run_preflight(tmp_path, "internal_ca", ok).returncode == 0
