"""Baseline apply to the lab's hosts: the first run on fresh hosts and a no-change run.

Peer: plain `ansible-playbook` run directly on the same playbook, inventory and extra vars (what
an operator would type without provdc), on the same already-configured hosts, with Ansible's
default settings (no pipelining, 5 forks, facts gathered every run, linear strategy); only the
roles path and the lab's host-key setting are given. provdc's run adds its export and recap
around Ansible and sets pipelining, forks, a fact cache and SSH masters within a run
(roles/apply.py `ansible_env`).

Fresh hosts: under the lab lock, every lab host gets an empty overlay layer again (as `provdc lab
up` makes it, tests/hosts/labreset.py), before the first run and again at the end.
"""

import fcntl
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

from runner import Row

from provdc.hosts.apply import ansible_env, playbook_command
from provdc.hosts.runvars import run_files, run_vars
from provdc.hosts.selection import select_hosts
from provdc.inventory import load_inventory, load_target
from provdc.inventory.scope import build_scope
from provdc.lab.status import lab_status

LAB_LOCK = Path("/run/provdc-lab-session.lock")
RESET = Path(__file__).resolve().parent.parent / "tests" / "hosts" / "labreset.py"
PORT = 16514  # nothing listens there: logs queue on the hosts, as with the SOC collector down


def _cpu() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, in ticks (/proc/stat)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)  # idle and iowait are not busy


def _busy(since: tuple[int, int]) -> float:
    """The share of the machine's CPU time busy since `since`: near 1, the run waited on CPU, not
    on SSH round trips (the lab's hosts run their modules on the same two cores as Ansible)."""
    now = _cpu()
    return (now[0] - since[0]) / max(1, now[1] - since[1])


def _apply(source: str) -> tuple[float, int, float]:
    cmd = [
        sys.executable,
        "-m",
        "provdc",
        "hosts",
        "apply",
        "--target",
        "lab",
        "-q",
        "--format",
        "json",
        "--set",
        f"log_forwarding_target={source}",
        "--set",
        f"log_forwarding_port={PORT}",
    ]
    start, cpu = time.perf_counter(), _cpu()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    wall, busy = time.perf_counter() - start, _busy(cpu)
    if out.returncode != 0 or not out.stdout.strip():
        sys.exit(f"bench hosts: apply failed (exit {out.returncode}): {out.stderr.strip()[-2000:]}")
    try:
        recap = json.loads(out.stdout)
    except json.JSONDecodeError:
        sys.exit(f"bench hosts: apply printed no JSON recap: {out.stdout[:800]!r}")
    return wall, sum(h["changed"] for h in recap["hosts"]), busy


def _peer(source: str) -> tuple[float, float]:
    inv = load_inventory()
    target = load_target("lab")
    scope = build_scope(inv, target)
    hosts = select_hosts(scope)
    overrides = {"log_forwarding_target": source, "log_forwarding_port": PORT}
    with run_files(inv, run_vars(inv, target, hosts, overrides), scope) as files:
        cmd = playbook_command(files.inventory, files.extra_vars, hosts)
        tuned = ansible_env(files.folder, True)
        keep = ("ANSIBLE_ROLES_PATH", "ANSIBLE_HOST_KEY_CHECKING", "ANSIBLE_LOCAL_TEMP")
        plain = {k: v for k, v in tuned.items() if not k.startswith("ANSIBLE_") or k in keep}
        start, cpu = time.perf_counter(), _cpu()
        out = subprocess.run(cmd, capture_output=True, text=True, env=plain, timeout=1800, check=False)
        wall, busy = time.perf_counter() - start, _busy(cpu)
        if out.returncode != 0:
            sys.exit(f"bench hosts: plain ansible-playbook exit {out.returncode}: {out.stdout[-2000:]}")
        return wall, busy


def _reset() -> None:
    spec = importlib.util.spec_from_file_location("labreset", RESET)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.reset_lab_hosts()


def run() -> list[Row]:
    with LAB_LOCK.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        status = lab_status(detail=False)
        was_up = status.up
        if not was_up:
            from provdc.lab import lifecycle

            lifecycle.up("small")
            status = lab_status(detail=False)
        _reset()
        try:
            source = str(status.mgmt_source)
            n = len(status.of_kind("host"))
            first, first_changed, first_busy = _apply(source)
            second, second_changed, second_busy = _apply(source)
            peer, peer_busy = _peer(source)
        finally:
            _reset()
            if not was_up:  # leave the lab as it was found
                from provdc.lab import lifecycle

                lifecycle.down()
    what = f"{n} lab hosts ({', '.join(sorted(h.name for h in status.of_kind('host')))})"
    return [
        Row(
            f"first run, fresh hosts: {what}",
            first,
            "plain ansible-playbook site.yml (Ansible defaults), no-change run",
            peer,
            f"changed={first_changed} over all hosts; nginx, PostgreSQL installed from the lab repo; "
            f"machine CPU busy {first_busy:.0%}",
        ),
        Row(
            f"no-change run: {what}",
            second,
            "plain ansible-playbook site.yml (Ansible defaults), no-change run",
            peer,
            f"goal ≤ 0.6× (ratio ≥ 1.67); changed={second_changed} over all hosts; CLI process, "
            f"inventory export and recap included; machine CPU busy {second_busy:.0%} (provdc), "
            f"{peer_busy:.0%} (peer)",
        ),
    ]
