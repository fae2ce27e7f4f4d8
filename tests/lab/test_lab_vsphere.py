"""The lab's vCenter (vcsim) against pyvmomi and the real Pulumi engine; `up` restarts a dead one."""

import json
import os
import signal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from provdc.inventory import load_inventory, load_target, secret
from provdc.lab.paths import LabPaths
from provdc.lab.status import LabStatus, lab_status
from provdc.stacks import vcsim

pytestmark = pytest.mark.lab


def _service(provdc_cli: Any) -> dict[str, Any]:
    done = provdc_cli("lab", "status", "--format", "json")
    assert done.returncode == 0, done.stderr
    services = json.loads(done.stdout)["services"]
    assert "vcsim" in services, f"no vcsim in lab status services: {services}"
    return dict(services["vcsim"])


def vcsim_pids() -> list[int]:
    """Live processes of the vcsim binary working in the lab dir, found in /proc (not by the lab's mark);
    the stack tests' own vcsims work elsewhere."""
    exe, lab_dir = vcsim.binary().resolve(), str(LabPaths.current().root)
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                ours = os.readlink(proc / "cwd").startswith(lab_dir)
                ours = ours and Path(os.readlink(proc / "exe")) == exe
                if ours and (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def test_status_shows_vcsim_shaped_like_the_inventory(lab: LabStatus, provdc_cli) -> None:  # type: ignore[no-untyped-def]
    service = _service(provdc_cli)
    vc = load_target("lab").vcenter
    assert vc is not None and vc.url == service["url"] and vc.insecure
    password = secret(vc.password_ref)
    assert password not in json.dumps(service)
    url = urlsplit(service["url"])
    si = SmartConnect(  # type: ignore[no-untyped-call]
        host=url.hostname,
        port=url.port,
        user=secret(vc.username_ref),
        pwd=password,
        disableSslCertValidation=True,
    )
    try:
        view = si.content.viewManager.CreateContainerView(si.content.rootFolder, [vim.Datacenter], True)
        datacenters = {dc.name: dc for dc in view.view}
        inv = load_inventory().vsphere
        assert inv.datacenter in datacenters
        clusters = {
            c.name: sorted(h.name for h in c.host)
            for c in datacenters[inv.datacenter].hostFolder.childEntity
            if isinstance(c, vim.ClusterComputeResource)
        }
        assert clusters == {c.name: sorted(c.hosts) for c in inv.clusters}
    finally:
        Disconnect(si)  # type: ignore[no-untyped-call]
    with pytest.raises(vim.fault.InvalidLogin):  # vcsim takes only the generated credentials
        SmartConnect(  # type: ignore[no-untyped-call]
            host=url.hostname, port=url.port, user="root", pwd="vcsim", disableSslCertValidation=True
        )


def test_stack_preview_runs_against_the_lab_target(lab: LabStatus, provdc_cli) -> None:  # type: ignore[no-untyped-def]
    _service(provdc_cli)
    done = provdc_cli("stack", "preview", "dc-core", "--target", "lab", "--format", "json")
    assert done.returncode == 0, done.stderr
    preview = json.loads(done.stdout)
    assert preview["target"] == "lab" and preview["resources"]
    vms = {r["name"] for r in preview["resources"] if r["type"] == "VirtualMachine"}
    assert vms == {f"vm-{vm.name}" for vm in load_inventory().workloads}


def test_up_restarts_a_dead_vcsim_and_keeps_a_healthy_one(lab: LabStatus, provdc_cli) -> None:  # type: ignore[no-untyped-def]
    before = _service(provdc_cli)
    kept = provdc_cli("lab", "up", "--scale", lab.scale or "small")
    assert kept.returncode == 0, kept.stderr
    assert "vcsim already up" in kept.stderr and _service(provdc_cli)["pid"] == before["pid"]
    os.kill(before["pid"], signal.SIGKILL)
    restarted = provdc_cli("lab", "up", "--scale", lab.scale or "small")
    assert restarted.returncode == 0, restarted.stderr
    after = _service(provdc_cli)
    assert after["pid"] != before["pid"] and after["pid"] in vcsim_pids()
    vc = load_target("lab").vcenter
    assert vc is not None and vc.url == after["url"]
    assert lab_status(detail=False).up


def test_up_without_the_vcsim_binary_says_so_and_brings_the_lab_up(lab: LabStatus, provdc_cli) -> None:  # type: ignore[no-untyped-def]
    scale = lab.scale or "small"
    try:
        without = provdc_cli("lab", "up", "--scale", scale, env={"PROVDC_VCSIM": "/nonexistent/vcsim"})
        assert without.returncode == 0, without.stderr
        said = [line for line in without.stderr.splitlines() if "vcsim" in line]
        assert len(said) == 1 and "vSphere left out" in said[0] and "Traceback" not in without.stderr
        assert load_target("lab").vcenter is None and vcsim_pids() == []
        assert lab_status(detail=False).up
    finally:
        restored = provdc_cli("lab", "up", "--scale", scale)
    assert restored.returncode == 0, restored.stderr
    assert _service(provdc_cli)["pid"] in vcsim_pids()
