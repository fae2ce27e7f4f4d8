"""Faults against vcsim and the real engine: vCenter unreachable, wrong credentials, two `up`s
at once, an `up` killed half-way. vCenter's side is read back with pyvmomi."""

import os
import re
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyVmomi import vim
from stack_site import PASSWORD, StackSite, site_env, stack_site, write_target

from provdc.inventory import Inventory
from provdc.stacks import vcsim

pytestmark = [pytest.mark.vsphere, pytest.mark.slow]
CLONE_MS = 1500


def vm_names(si: Any) -> list[str]:
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        return [v.name for v in view.view if not v.config.template]  # the OS templates are vcsim's
    finally:
        view.Destroy()


def stacks_written(state: Path) -> list[Path]:
    return list((state / "pulumi").glob("backend/.pulumi/stacks/**/*.json"))


def one_line_error(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_unreachable_vcenter_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    state = tmp_path / "state"
    write_target(state, "gone", f"https://127.0.0.1:{port}/sdk")
    site = StackSite(state, "gone", site_env(state))
    for action in (["preview"], ["up", "--yes"]):
        done = site.cli(action[0], "dc-core", *action[1:])
        assert done.returncode == 1
        assert "unreachable" in one_line_error(done.stderr)
    assert stacks_written(state) == []


def test_wrong_password_is_refused_in_one_line(site: StackSite) -> None:
    wrong = StackSite(site.state, site.name, {**site.env, "PROVDC_TEST_VC_PASSWORD": "not-it"}, site.sim)
    done = wrong.cli("up", "dc-core", "--yes")
    assert done.returncode == 1
    assert "login refused" in one_line_error(done.stderr)
    assert "not-it" not in done.stderr
    assert stacks_written(site.state) == []
    with site.vcenter() as si:
        assert vm_names(si) == []


def test_vm_whose_os_has_no_template_is_refused_in_one_line(site: StackSite, inventory_copy: Path) -> None:
    vsphere_yml = inventory_copy / "vsphere.yml"
    text = vsphere_yml.read_text(encoding="utf-8")
    edited = re.sub(r"\n  templates: \{[^}]*\}\n", "\n  templates: {}\n", text)
    assert edited != text
    vsphere_yml.write_text(edited, encoding="utf-8")
    done = site.cli("up", "dc-core", "--yes", inventory=inventory_copy)
    assert done.returncode == 1
    line = one_line_error(done.stderr)
    first = inventory_copy / "workloads.yml"
    assert "no template for os 'debian-12' in vsphere.templates" in line, line
    assert str(first.name) in line, line
    with site.vcenter() as si:
        assert vm_names(si) == []


def test_preflight_refuses_what_does_not_fit(site: StackSite) -> None:
    """With vCenter's own figures (vcsim's hosts: 2 cores, 4 GiB) the workloads cannot fit."""
    assert site.sim is not None
    write_target(site.state, "live-figures", site.sim.url, capacity="vcenter")
    live = StackSite(site.state, "live-figures", site.env, site.sim)
    done = live.cli("up", "dc-core", "--yes")
    assert done.returncode == 1
    line = one_line_error(done.stderr)
    assert re.search(
        r"preflight: cluster \w+: \d+ vCPU needed, \d+ available with 1 host\(s\) failed", line
    ), line
    with site.vcenter() as si:
        assert vm_names(si) == []


def test_state_goes_to_the_targets_backend_with_secrets_encrypted(site: StackSite, tmp_path: Path) -> None:
    assert site.sim is not None
    backend = tmp_path / "elsewhere"
    backend.mkdir()
    write_target(site.state, "elsewhere", site.sim.url, backend=backend.as_uri())
    other = StackSite(site.state, "elsewhere", site.env, site.sim)
    assert other.cli("preview", "dc-core").returncode == 0
    assert list(backend.glob(".pulumi/stacks/provdc/dc-core-elsewhere.json*"))
    settings = (site.state / "pulumi" / "work" / "elsewhere" / "Pulumi.dc-core-elsewhere.yaml").read_text()
    assert "provdc:vcenterPassword" in settings and PASSWORD not in settings  # a Pulumi secret


@pytest.fixture(scope="module")
def slow_site(tmp_path_factory: pytest.TempPathFactory, inventory: Inventory) -> Iterator[StackSite]:
    """vcsim that takes CLONE_MS per VM clone, so that a run can be caught half-way: 16 clones
    run at once, and the 42 VMs take three rounds."""
    with stack_site(
        tmp_path_factory.mktemp("slow"), inventory, flags=["-method-delay", f"CloneVM_Task:{CLONE_MS}"]
    ) as s:
        yield s


def wait_for(check: Any, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_second_up_refuses_on_the_lock(slow_site: StackSite, inventory: Inventory) -> None:
    lock = slow_site.state / "pulumi" / "locks" / f"dc-core-{slow_site.name}.lock"
    first = slow_site.popen("up", "dc-core", "--yes")
    try:
        wait_for(lambda: lock.exists() and "pid" in lock.read_text())
        second = slow_site.cli("up", "dc-core", "--yes")
        assert second.returncode == 1
        assert "locked" in one_line_error(second.stderr)
        assert first.poll() is None  # the first run was still going when the second gave up
    finally:
        _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    with slow_site.vcenter() as si:
        assert sorted(vm_names(si)) == sorted(vm.name for vm in inventory.workloads)


def test_up_killed_half_way_converges_on_the_next_up(slow_site: StackSite, inventory: Inventory) -> None:
    done = slow_site.cli("destroy", "dc-core", "--yes")
    assert done.returncode == 0, done.stderr
    run = slow_site.popen("up", "dc-core", "--yes")
    with slow_site.vcenter() as si:
        wait_for(lambda: len(vm_names(si)) >= 5)
        os.killpg(run.pid, signal.SIGKILL)  # the CLI, the engine and the provider die together
        run.wait()
        time.sleep(CLONE_MS / 1000 + 1)  # clones vCenter had already accepted finish
        made = len(vm_names(si))
    assert 0 < made < len(inventory.workloads)
    again = slow_site.cli("up", "dc-core", "--yes")
    assert again.returncode == 0, again.stderr
    with slow_site.vcenter() as si:
        names = vm_names(si)
    assert sorted(names) == sorted(vm.name for vm in inventory.workloads)  # each once: none twice
    plan = slow_site.json("preview", "dc-core")
    assert {r["op"] for r in plan["resources"]} == {"same"}
    backups = list((slow_site.state / "pulumi" / "backups").glob("*.json"))
    assert backups, "the state with the interrupted run's pending operations was kept"


def test_vcsim_reports_itself_running_until_stopped(inventory: Inventory, tmp_path: Path) -> None:
    sim = vcsim.start(inventory.vsphere, tmp_path / "vcsim")
    try:
        assert vcsim.running(tmp_path / "vcsim") == sim.url
    finally:
        sim.stop()
    assert vcsim.running(tmp_path / "vcsim") is None
    assert sim.process.poll() is not None
