"""`provdc stack up` of the whole DC workload set on vcsim, then a no-change preview and a refresh.

Peer: govc (govmomi's CLI, the same version as vcsim) creating the same VMs, one command
after another as a shell script would: `vm.create` with CPU, memory, first disk on its tier's
datastore, NIC on its port group, folder and pool, then `vm.disk.create` for each further disk.
The folders, pools, port groups and datastores it needs are made beforehand with govc and
not timed, so the peer's figure is VM creation alone (provdc's `up` also creates those 84
other resources). For preview and refresh the peer is one `govc vm.info -json` of all VMs:
what a script reads to compare vCenter with what it wants.

Both run against vcsim slowed down like a real vCenter (`-method-delay`, DELAYS; the values and
where they come from are in docs/stacks.md, "Benchmarks on a realistic vCenter").
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runner import Row, median_time

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "stacks"))

from stack_site import PASSWORD, USER, stack_site  # noqa: E402

from provdc.inventory import load_inventory  # noqa: E402
from provdc.inventory.model import Inventory  # noqa: E402
from provdc.stacks import vcsim  # noqa: E402
from provdc.stacks.program import pool_name, vm_props  # noqa: E402

# ms per call, as a vCenter under moderate load answers (docs/stacks.md).
DELAYS = {
    "Login": 200,
    "CreateVM_Task": 1500,
    "CloneVM_Task": 5000,
    "ReconfigVM_Task": 800,
    "PowerOnVM_Task": 1000,
    "RetrieveProperties": 30,
}
PREVIEWS = 5  # a preview takes about 2 s: the median of several, after one not counted
FLAGS = ["-method-delay", ",".join(f"{m}:{ms}" for m, ms in DELAYS.items())]


def _timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def _govc_env(url: str, inv: Inventory) -> dict[str, str]:
    return {
        **os.environ,
        "GOVC_URL": url.replace("https://", f"https://{USER}:{PASSWORD}@"),
        "GOVC_INSECURE": "1",
        "GOVC_DATACENTER": inv.vsphere.datacenter,
        "GOVC_PERSIST_SESSION": "false",
    }


def _govc(env: dict[str, str], *args: str) -> None:
    govc = vcsim.binary().parent / "govc"
    done = subprocess.run([str(govc), *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"govc {args[0]}: {done.stderr.strip()}")


def _prerequisites(env: dict[str, str], inv: Inventory) -> None:
    vs, dc = inv.vsphere, inv.vsphere.datacenter
    for ds in vs.datastores:
        for cluster in ds.clusters:
            _govc(
                env,
                "datastore.create",
                "-type",
                "nfs",
                "-name",
                ds.name,
                "-remote-host",
                str(ds.nfs_server),
                "-remote-path",
                ds.nfs_path,
                f"/{dc}/host/{cluster}",
            )
    for pg in vs.port_groups:
        _govc(env, "dvs.portgroup.add", "-dvs", vs.switch, "-vlan", str(pg.vlan), pg.name)
    for folder in vs.folders:
        _govc(env, "folder.create", f"/{dc}/vm/{folder}")
    for cluster, folder in sorted({(vm.cluster, vm.folder) for vm in inv.workloads}):
        _govc(env, "pool.create", f"/{dc}/host/{cluster}/Resources/{pool_name(folder)}")


def _govc_create_all(env: dict[str, str], inv: Inventory) -> None:
    dc = inv.vsphere.datacenter
    for vm in inv.workloads:
        props = vm_props(inv, vm)
        disks = props["disks"]
        first = disks[0]  # type: ignore[index]
        _govc(
            env,
            "vm.create",
            "-c",
            str(vm.cpu),
            "-m",
            str(vm.memory_gb * 1024),
            "-g",
            str(props["guest_id"]),
            "-disk",
            f"{first['size_gb']}GB",
            f"-disk.thick={str(not first['thin']).lower()}",
            "-ds",
            first["datastore"],
            "-disk.controller",
            "pvscsi",
            "-net",
            vm.nics[0].port_group,
            "-net.adapter",
            "vmxnet3",
            "-folder",
            f"/{dc}/vm/{vm.folder}",
            "-pool",
            f"/{dc}/host/{vm.cluster}/Resources/{props['pool']}",
            "-on=true",
            vm.name,
        )
        for i, disk in enumerate(disks[1:], start=1):  # type: ignore[index]
            _govc(
                env,
                "vm.disk.create",
                "-vm",
                vm.name,
                "-name",
                f"{vm.name}-disk{i}",
                "-size",
                f"{disk['size_gb']}G",
                "-ds",
                disk["datastore"],
                f"-thick={str(not disk['thin']).lower()}",
            )


def run() -> list[Row]:
    inv = load_inventory()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        with stack_site(Path(tmp) / "ours", inv, flags=FLAGS) as site:

            def cli(*args: str) -> None:
                done = site.cli(*args, timeout=900)
                assert done.returncode == 0, done.stderr

            up = _timed(lambda: cli("up", "dc-core", "--yes"))
            preview = median_time(lambda: cli("preview", "dc-core"), PREVIEWS)
            refresh = _timed(lambda: cli("refresh", "dc-core"))
        with stack_site(Path(tmp) / "peer", inv, flags=FLAGS) as peer_site:
            assert peer_site.sim is not None
            env = _govc_env(peer_site.sim.url, inv)
            _prerequisites(env, inv)
            govc_up = _timed(lambda: _govc_create_all(env, inv))
            names = [f"/{inv.vsphere.datacenter}/vm/{vm.folder}/{vm.name}" for vm in inv.workloads]
            govc_info = _timed(lambda: _govc(env, "vm.info", "-json", *names))
    n = len(inv.workloads)
    load = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    delays = "vcsim -method-delay " + ", ".join(f"{m} {ms} ms" for m, ms in DELAYS.items())
    rows.append(
        Row(
            f"up: {n} VMs (+ folders, pools, port groups, datastores, tags, DRS rules)",
            up,
            f"govc sequential vm.create ×{n} + vm.disk.create",
            govc_up,
            f"goal ≤ 0.5× the govc script (ratio ≥ 2); CLI process and engine start included; "
            f"{delays}; {load}",
        )
    )
    rows.append(
        Row(
            "preview with no change",
            preview,
            "govc vm.info -json (all VMs)",
            govc_info,
            f"goal ≤ 2 s; median of {PREVIEWS}; CLI process, engine start and one Login included; {load}",
        )
    )
    rows.append(
        Row("refresh (reads every resource back)", refresh, "govc vm.info -json (all VMs)", govc_info, load)
    )
    return rows
