"""vcsim, govmomi's vCenter simulator, shaped like the inventory's vSphere.

Used by the stack tests, the benchmark and the lab (`start()`, `Vcsim.url`, `Vcsim.stop()`).
vcsim's flags give an empty datacenter; pyvmomi then adds what flags cannot say: the
inventory's datacenter name, its clusters with their named hosts, and the distributed switch
with every host on it. Datastores, port groups, folders and VMs are left to the stack.

vcsim backs an NFS datastore by a local directory named after it in its working directory
(HostDatastoreSystem.CreateNasDatastore stats the local path): `start()` makes one directory
per inventory datastore there, standing in for the NFS exports.
"""

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provdc.inventory.model import Vsphere
from provdc.stacks import vsphere
from provdc.stacks.errors import StackError
from provdc.stacks.program import GUEST_IDS
from provdc.stacks.vsphere import Access, vim

VERSION = "v0.56.0"
STATUS_FILE = "vcsim.json"
ENV_BIN = "PROVDC_VCSIM"
START_DEADLINE = 30.0
TEMPLATE_STORE = "provdc-templates"  # the datastore of the OS templates (a directory in workdir)
TEMPLATE_DISK_GB = 8  # the template's system disk; clones grow it to the inventory's size


def binary() -> Path:
    """$PROVDC_VCSIM, or the one scripts/setup.d/55-vcsim.sh built."""
    cache = Path(os.environ.get("PROVDC_CACHE", "/var/cache/provdc"))
    path = Path(os.environ.get(ENV_BIN, cache / f"govmomi-{VERSION}" / "bin" / "vcsim"))
    if not path.is_file():
        raise StackError(f"vcsim not found at {path}; run: bash scripts/setup.sh vcsim")
    return path


@dataclass
class Vcsim:
    """A running vcsim; `url` is its SDK endpoint (https, self-signed)."""

    process: subprocess.Popen[str]
    port: int
    workdir: Path
    username: str
    password: str
    log: Path = field(default=Path())

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/sdk"

    def access(self) -> Access:
        return Access(self.url, self.username, self.password, insecure=True)

    def stop(self) -> None:
        (self.workdir / STATUS_FILE).unlink(missing_ok=True)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _alive(pid: int, workdir: Path) -> bool:
    """`pid` runs (not a zombie) in `workdir`: a reused pid of another program does not count."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaps it when it is our own dead child
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z" and Path(f"/proc/{pid}/cwd").resolve() == workdir.resolve()
    except (OSError, IndexError):
        return False


def info(workdir: Path) -> dict[str, Any] | None:
    """{"url", "pid"} of the vcsim `start(..., workdir)` left running, or None."""
    try:
        status = json.loads((workdir / STATUS_FILE).read_text(encoding="utf-8"))
        pid, url = int(status["pid"]), str(status["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {"url": url, "pid": pid} if _alive(pid, workdir) else None


def running(workdir: Path) -> str | None:
    """The URL of the vcsim that `start(..., workdir)` left running, or None (for `lab status`)."""
    found = info(workdir)
    return None if found is None else str(found["url"])


def stop(workdir: Path, grace: float = 10.0) -> None:
    """Stop the vcsim that `start(..., workdir)` left running, from another process too."""
    found = info(workdir)
    (workdir / STATUS_FILE).unlink(missing_ok=True)
    if found is None:
        return
    pid = int(found["pid"])
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not _alive(pid, workdir):
                return
            time.sleep(0.05)


def start(
    inventory: Vsphere,
    workdir: Path,
    username: str = "",
    password: str = "",
    flags: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> Vcsim:
    """vcsim on 127.0.0.1 with a free port, shaped like `inventory`.

    With username/password set, vcsim refuses any other login (for the credential tests);
    otherwise it accepts any and `Vcsim.username` is a placeholder. `flags` go to vcsim as
    they are (e.g. `-method-delay CreateVM_Task:300` to slow a run down); `env` is added to
    its environment (the lab marks its vcsim that way). vcsim's stdout goes to a file, not a
    pipe, so that it outlives the process that started it.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    for name in [ds.name for ds in inventory.datastores] + [TEMPLATE_STORE]:
        (workdir / name).mkdir(exist_ok=True)
    args = [str(binary()), "-l", "127.0.0.1:0"]
    for flag in ("cluster", "host", "standalone-host", "ds", "vm", "pool", "pg", "app", "pod", "folder"):
        args += [f"-{flag}", "0"]
    if username:
        args += ["-username", username, "-password", password]
    args += flags
    log, out = workdir / "vcsim.log", workdir / "vcsim.out"
    with log.open("w") as err_f, out.open("w") as out_f:
        proc = subprocess.Popen(
            args,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=out_f,
            stderr=err_f,
            text=True,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
    line = _first_line(proc, out)  # "export GOVC_URL=https://user:pass@127.0.0.1:PORT/sdk ..."
    if "GOVC_URL=" not in line:
        proc.kill()
        proc.wait()
        raise StackError(f"vcsim did not start: {log.read_text(errors='replace').strip()[-200:]}")
    port = int(line.split("127.0.0.1:", 1)[1].split("/", 1)[0])
    sim = Vcsim(proc, port, workdir, username or "provdc", password or "vcsim", log)
    (workdir / STATUS_FILE).write_text(json.dumps({"pid": proc.pid, "url": sim.url}), encoding="utf-8")
    try:
        shape(sim.access(), inventory)
    except BaseException:
        sim.stop()
        raise
    return sim


def _first_line(proc: subprocess.Popen[str], out: Path) -> str:
    """vcsim's first line of output, once written in full; empty when it exits or the deadline passes."""
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        text = out.read_text(encoding="utf-8", errors="replace")
        if "\n" in text:
            return text.split("\n", 1)[0]
        if proc.poll() is not None:
            return ""
        time.sleep(0.02)
    return ""


def shape(access: Access, inventory: Vsphere) -> None:
    """Rename vcsim's datacenter, add the clusters, their hosts and the distributed switch."""
    with vsphere.connect(access) as si:
        dc = vsphere.find_all(si, vim.Datacenter)[0]
        vsphere.wait(dc.Rename_Task(inventory.datacenter))
        hosts: list[vim.HostSystem] = []
        for cl in inventory.clusters:
            spec = vim.cluster.ConfigSpecEx(drsConfig=vim.cluster.DrsConfigInfo(enabled=True))
            ccr = dc.hostFolder.CreateClusterEx(name=cl.name, spec=spec)
            for name in cl.hosts:
                connect = vim.host.ConnectSpec(hostName=name, userName="root", password="vcsim", force=True)
                hosts.append(vsphere.wait(ccr.AddHost_Task(spec=connect, asConnected=True)))
        dvs_spec = vim.DistributedVirtualSwitch.CreateSpec(
            configSpec=vim.dvs.VmwareDistributedVirtualSwitch.ConfigSpec(name=inventory.switch)
        )
        dvs = vsphere.wait(dc.networkFolder.CreateDVS_Task(dvs_spec))
        join = vim.dvs.VmwareDistributedVirtualSwitch.ConfigSpec(
            configVersion=dvs.config.configVersion,
            host=[vim.dvs.HostMember.ConfigSpec(operation="add", host=h) for h in hosts],
        )
        vsphere.wait(dvs.ReconfigureDvs_Task(join))  # joins hosts the way vSphere does
        if inventory.templates:
            templates(dc, hosts, inventory)


def templates(dc: vim.Datacenter, hosts: list[vim.HostSystem], inventory: Vsphere) -> None:
    """The OS templates the workloads are cloned from, as a real vCenter has them (built by
    image tooling): one small VM per `vsphere.templates` entry, on a datastore of their own
    mounted on every host, marked as a template, in the datacenter's root VM folder."""
    spec = vim.host.NasVolume.Specification(
        remoteHost="127.0.0.1", remotePath=f"/{TEMPLATE_STORE}", localPath=TEMPLATE_STORE, type="NFS"
    )
    store = hosts[0].configManager.datastoreSystem.CreateNasDatastore(spec)
    for host in hosts[1:]:
        with contextlib.suppress(KeyError):  # vcsim answers an empty reference for a known one
            host.configManager.datastoreSystem.CreateNasDatastore(spec)
    pool = hosts[0].parent.resourcePool
    for os_name, name in sorted(inventory.templates.items()):
        disk = vim.vm.device.VirtualDisk(
            key=-101,
            controllerKey=1000,
            unitNumber=0,
            capacityInKB=TEMPLATE_DISK_GB * 1024 * 1024,
            backing=vim.vm.device.VirtualDisk.FlatVer2BackingInfo(
                fileName=f"[{store.name}]", diskMode="persistent", thinProvisioned=True
            ),
        )
        scsi = vim.vm.device.ParaVirtualSCSIController(key=1000, busNumber=0, sharedBus="noSharing")
        config = vim.vm.ConfigSpec(
            name=name,
            numCPUs=1,
            memoryMB=1024,
            guestId=GUEST_IDS.get(os_name, "otherLinux64Guest"),
            files=vim.vm.FileInfo(vmPathName=f"[{store.name}]"),
            deviceChange=[
                vim.vm.device.VirtualDeviceSpec(operation="add", device=scsi),
                vim.vm.device.VirtualDeviceSpec(operation="add", fileOperation="create", device=disk),
            ],
        )
        vm = vsphere.wait(dc.vmFolder.CreateVM_Task(config=config, pool=pool))
        vm.MarkAsTemplate()
