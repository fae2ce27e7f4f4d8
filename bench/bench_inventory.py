"""Load and validate the whole province, against ansible-inventory reading the same hosts.

Peer: the same hosts and host variables written as a static YAML inventory, read by
`ansible-inventory --list` (Ansible's own parser and its own inventory model).
"""

import sys
import tempfile
from pathlib import Path

import yaml
from runner import Row, median_process, median_time

from provdc.inventory import check_inventory, load_inventory
from provdc.inventory.export_ansible import ansible_inventory


def _static_yaml(data: dict) -> dict:  # type: ignore[type-arg]
    hostvars = data["_meta"]["hostvars"]
    groups = {g: v for g, v in data.items() if g not in ("_meta", "all") and "hosts" in v}
    return {
        "all": {
            "vars": data["all"]["vars"],
            "children": {
                g: {"hosts": {h: hostvars[h] for h in v["hosts"]}} for g, v in groups.items() if v["hosts"]
            },
        }
    }


def run() -> list[Row]:
    venv_bin = Path(sys.executable).parent
    in_process = median_time(lambda: check_inventory(), repeat=21, warmup=3)
    with tempfile.TemporaryDirectory() as tmp:
        static = Path(tmp) / "hosts.yml"
        static.write_text(
            yaml.safe_dump(_static_yaml(ansible_inventory(load_inventory())), allow_unicode=True),
            encoding="utf-8",
        )
        peer = median_process([str(venv_bin / "ansible-inventory"), "-i", str(static), "--list"], repeat=5)
    cli = median_process([sys.executable, "-m", "provdc", "inventory", "validate"], repeat=5)
    return [
        Row(
            "load + validate in-process (median of 21)",
            in_process,
            "ansible-inventory --list, static YAML, same hosts (process)",
            peer,
            "goal < 300 ms; in-process (no interpreter start) against a process: not like for like, "
            "see the next row",
        ),
        Row(
            "`provdc inventory validate` as a process (median of 5)",
            cli,
            "ansible-inventory --list, static YAML, same hosts (process)",
            peer,
            "process against process: interpreter start, YAML parse and checks included in both; "
            "provdc also derives addresses and validates every rule",
        ),
    ]
