"""Push the golden config to every lab router: wall time vs the ideal, and vs Nornir + nornir_napalm.

Needs the lab (taken under /run/provdc-lab-session.lock; brought up at scale small if down). Each
run starts from the routers' day-0 configs and puts them back afterwards with FRR's own reload.
- ours: `Pusher` (provdc net push --commit --waves 100%, no gate wait beyond one check); the
  push report's per-device phase profile (connect … confirm) is summed into the row's note.
- limit, from the measured phases and the 2 cores: the change phases (connect → commit) of N
  devices over W workers take at least ceil(N/W) × their median per device, the gate and confirm
  phases the same again (they start once the wave is committed); and the whole push cannot be
  quicker than the machine's busy CPU time during it (provdc + FRR/sshd/vtysh on the routers) / 2.
  limit = max(ceil(N/W) × (median change + median gate/confirm), busy CPU / 2).
- peer: Nornir's threaded runner with nornir_napalm's `napalm_configure(replace=True)` over the
  same FRR NAPALM driver, same worker count (no backup, no gate: strictly less work).
"""

import fcntl
import math
import os
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from runner import Row

from provdc.inventory import load_inventory, load_target, secret
from provdc.inventory.scope import build_scope
from provdc.network.push import Pusher, PushOptions
from provdc.network.render import Renderer
from provdc.network.scope import Managed, managed_devices

WORKERS = 8
CHANGE = ("connect", "getters", "get_config", "load", "compare", "backup", "commit")
AFTER = ("gate", "confirm")


def _busy_cpu_s() -> float:
    """Machine-wide busy CPU seconds so far (all cores, from /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


LOCK = Path("/run/provdc-lab-session.lock")
RELOAD = "/usr/lib/frr/frr-reload.py"


def _inside(namespace: str) -> list[str]:
    pid = Path(f"/var/run/frr/{namespace}/zebra.pid").read_text().strip()
    return ["nsenter", "-t", pid, "-n", "-u"]


def _running(namespace: str) -> str:
    out = subprocess.run(
        [*_inside(namespace), "vtysh", "-N", namespace, "-c", "show running-config"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out[out.index("!") :] if "!" in out else out


def _restore(namespace: str, config: str, work: Path) -> None:
    path = work / f"{namespace}.conf"
    path.write_text(config, encoding="utf-8")
    subprocess.run(
        [*_inside(namespace), RELOAD, "--reload", "--stdout", "-N", namespace, str(path)],
        capture_output=True,
        check=False,
    )


def _nornir_push(devices: list[Managed], golden: dict[str, str], target: object) -> float:
    from nornir.core import Nornir
    from nornir.core.inventory import ConnectionOptions, Defaults, Groups, Host, Hosts, Inventory
    from nornir.core.plugins.connections import ConnectionPluginRegister
    from nornir.plugins.runners import ThreadedRunner
    from nornir_napalm.plugins.tasks import napalm_configure

    ConnectionPluginRegister.auto_register()  # nornir_napalm's "napalm" connection
    access = target.devices  # type: ignore[attr-defined]
    extras = {"optional_args": {"key_file": access.key_file, "host_keys": access.host_keys}}
    hosts = Hosts()
    for d in devices:
        hosts[d.hostname] = Host(
            d.hostname,
            hostname=d.address,
            username=secret(access.username_ref),
            password=secret(access.password_ref) if access.password_ref else "",
            platform="frr",
            data={"config": golden[d.hostname]},
            connection_options={"napalm": ConnectionOptions(extras=extras)},
        )
    nr = Nornir(
        inventory=Inventory(hosts=hosts, groups=Groups(), defaults=Defaults()),
        runner=ThreadedRunner(num_workers=WORKERS),
    )
    start = time.perf_counter()
    result = nr.run(task=lambda task: napalm_configure(task, configuration=task.host["config"], replace=True))
    elapsed = time.perf_counter() - start
    nr.close_connections()
    if result.failed:
        raise SystemExit(f"nornir push failed on {sorted(result.failed_hosts)}")
    return elapsed


def run() -> list[Row]:
    import tempfile

    from provdc.lab import lifecycle
    from provdc.lab.status import lab_status

    with LOCK.open("a") as lock, tempfile.TemporaryDirectory() as tmp:
        fcntl.flock(lock, fcntl.LOCK_EX)
        status = lab_status(detail=False)
        was_up = status.up
        if not was_up:
            lifecycle.up("small")
            status = lab_status(detail=False)
        work = Path(tmp)
        inv, target = load_inventory(), load_target("lab")
        devices = managed_devices(build_scope(inv, target))
        namespaces = {n.name: n.namespace for n in status.nodes}
        day0 = {d.hostname: _running(namespaces[d.hostname]) for d in devices}
        renderer = Renderer(inv)
        golden = {d.hostname: renderer.device(d.site, "frr").text for d in devices}

        def reset() -> None:
            with ThreadPoolExecutor(max_workers=4) as pool:
                list(pool.map(lambda d: _restore(namespaces[d.hostname], day0[d.hostname], work), devices))

        def ours(subset: list[Managed]) -> tuple[float, float, list[dict[str, float]]]:
            """Wall time, busy machine CPU and each device's phase profile of one push."""
            options = PushOptions(commit=True, waves="100%", max_workers=WORKERS, gate_timeout=30)
            cpu0, start = _busy_cpu_s(), time.perf_counter()
            results, _ = Pusher(inv, target, options).run(subset)
            elapsed, cpu = time.perf_counter() - start, _busy_cpu_s() - cpu0
            bad = [r.name for r in results if r.result != "changed"]
            if bad:
                raise SystemExit(f"push did not change {bad}")
            return elapsed, cpu, [r.phases for r in results]

        try:
            wall, cpu, phases = ours(devices)
            reset()
            peer_cpu0 = _busy_cpu_s()
            peer = _nornir_push(devices, golden, target)
            peer_cpu = _busy_cpu_s() - peer_cpu0
        finally:
            reset()
            if not was_up:  # leave the lab as it was found
                lifecycle.down()
        n = len(devices)
        median = {p: statistics.median(d.get(p, 0.0) for d in phases) for p in CHANGE + AFTER}
        change, after = sum(median[p] for p in CHANGE), sum(median[p] for p in AFTER)
        rounds = math.ceil(n / WORKERS)
        limit = max(rounds * (change + after), cpu / 2)
        profile = ", ".join(f"{p} {median[p]:.2f}" for p in CHANGE + AFTER)
        bound = "CPU" if cpu / 2 > rounds * (change + after) else "phases"
        return [
            Row(
                f"push {n} lab routers, {WORKERS} workers (backup, commit, gate, confirm)",
                wall,
                f"limit max(ceil({n}/{WORKERS}) × (change {change:.2f} s + gate/confirm {after:.2f} s), "
                f"busy CPU {cpu:.1f} s / 2 cores)",
                limit,
                f"goal: limit/provdc ≥ 0.67 (within 1.5×); bound by {bound}; median s per device: {profile}",
            ),
            Row(
                f"push {n} lab routers, {WORKERS} workers (backup, commit, gate, confirm)",
                wall,
                f"Nornir threaded + nornir_napalm napalm_configure(replace), {WORKERS} workers, same driver",
                peer,
                f"goal ≥ 1.0×; peer does no backup, gate or confirm; busy CPU: provdc run {cpu:.1f} s, "
                f"peer run {peer_cpu:.1f} s",
            ),
        ]
