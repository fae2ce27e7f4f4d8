"""`provdc hosts apply`: run roles/site.yml with ansible-playbook against a target's hosts."""

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from provdc.core.errors import ProvdcError
from provdc.hosts.recap import HostRecap, RecapReader
from provdc.hosts.runvars import run_files, run_vars
from provdc.hosts.selection import PLAYBOOK, HostPlan, select_hosts
from provdc.inventory import state_dir
from provdc.inventory.model import Inventory
from provdc.inventory.scope import build_scope
from provdc.inventory.targets import Target


@dataclass(frozen=True)
class ApplyResult:
    hosts: list[HostRecap]
    returncode: int

    @property
    def ok(self) -> bool:
        return all(h.status in ("ok", "changed") for h in self.hosts)


def ansible_env(folder: Path, lab_host_keys: bool, cache: Path | None = None) -> dict[str, str]:
    """Ansible's settings for a run: no retry files, the roles beside the playbook, our own temp.

    Speed: pipelining (one SSH exchange per task, no temp files on the host) and forks for every
    host at once. With `cache` (a folder kept between runs, the target's under the state dir):
    facts cached for 10 minutes (`gathering: smart` skips the setup module while they are fresh).
    SSH masters stay inside the run (its own control folder): a master kept from an earlier run
    would report a host reachable whose sshd no longer takes a new login, the lock-out a hardening
    change must show.
    """
    persistent: dict[str, str] = {}
    if cache is not None:
        (cache / "facts").mkdir(parents=True, exist_ok=True, mode=0o700)
        persistent = {
            "ANSIBLE_GATHERING": "smart",
            "ANSIBLE_CACHE_PLUGIN": "jsonfile",
            "ANSIBLE_CACHE_PLUGIN_CONNECTION": str(cache / "facts"),
            "ANSIBLE_CACHE_PLUGIN_TIMEOUT": "600",
        }
    return {
        "ANSIBLE_HOST_KEY_CHECKING": "false" if lab_host_keys else "true",
        **os.environ,
        "ANSIBLE_ROLES_PATH": str(PLAYBOOK.parent),
        "ANSIBLE_RETRY_FILES_ENABLED": "false",
        "ANSIBLE_FORCE_COLOR": "false",
        "ANSIBLE_NOCOLOR": "true",
        "ANSIBLE_STDOUT_CALLBACK": "default",
        "ANSIBLE_DISPLAY_SKIPPED_HOSTS": "false",
        "ANSIBLE_LOCAL_TEMP": str(folder / "tmp"),
        "ANSIBLE_SSH_CONTROL_PATH_DIR": str(folder / "cp"),
        "ANSIBLE_PIPELINING": "true",
        "ANSIBLE_FORKS": "20",
        "ANSIBLE_TIMEOUT": "20",
        "ANSIBLE_PYTHON_INTERPRETER": "auto_silent",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
        **persistent,
    }


def ansible_playbook() -> str:
    """ansible-playbook beside this Python (the venv), else on PATH."""
    here = Path(sys.executable).parent / "ansible-playbook"
    return str(here) if here.exists() else "ansible-playbook"


def playbook_command(inventory_file: Path, extra_vars_file: Path, hosts: Sequence[HostPlan]) -> list[str]:
    """ansible-playbook of roles/site.yml over the exported inventory, limited to `hosts`."""
    return [
        ansible_playbook(),
        "-i",
        str(inventory_file),
        "--extra-vars",
        f"@{extra_vars_file}",
        "--limit",
        ",".join(h.name for h in hosts),
        str(PLAYBOOK),
    ]


def apply(
    inv: Inventory,
    target: Target,
    limit: str | None = None,
    check: bool = False,
    diff: bool = False,
    overrides: dict[str, Any] | None = None,
    tags: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
) -> ApplyResult:
    """Apply the playbook to the selected hosts; every host is reported, failed or not."""
    scope = build_scope(inv, target)
    hosts: list[HostPlan] = select_hosts(scope, limit)
    variables = run_vars(inv, target, hosts, overrides)
    reader = RecapReader()
    with run_files(inv, variables, scope) as files:
        lab_keys = "StrictHostKeyChecking=no" in variables["ansible_ssh_common_args"]
        env = ansible_env(files.folder, lab_keys, state_dir() / "ansible" / target.name)
        cmd = playbook_command(files.inventory, files.extra_vars, hosts)
        if check:
            cmd.append("--check")
        if diff:
            cmd.append("--diff")
        if tags:
            cmd += ["--tags", ",".join(tags)]
        try:
            proc = subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, bufsize=1
            )
        except OSError as exc:
            raise ProvdcError(f"cannot run ansible-playbook: {exc.strerror}") from None
        assert proc.stdout is not None
        for line in proc.stdout:
            reader.feed(line)
            if progress:
                progress(line.rstrip("\n"))
        returncode = proc.wait()
    recaps = []
    for plan in hosts:
        rec = reader.hosts.get(plan.name, HostRecap(plan.name, error="not in Ansible's recap"))
        recaps.append(rec)
    if returncode not in (0, 2, 4) and not reader.in_recap:
        raise ProvdcError(
            f"ansible-playbook stopped before its recap (exit {returncode}); see the output above"
        )
    return ApplyResult(recaps, returncode)
