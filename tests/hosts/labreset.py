"""Lab hosts back to fresh overlay layers: the host tests' teardown and the benchmark's fresh start."""


def reset_lab_hosts() -> None:
    """Every lab host back to a fresh overlay layer, as `provdc lab up` made it (the tests' teardown).

    Stops the host's PID namespace (its init and the unshare that holds it) and starts it again
    through the lab's own `start_host`; the network namespace and its links stay as they are.
    """
    from provdc.inventory import load_inventory
    from provdc.lab import hosts
    from provdc.lab.paths import LabPaths
    from provdc.lab.state import read_record
    from provdc.lab.system import kill_all, read_pid
    from provdc.lab.topology import build_topology

    paths = LabPaths.current()
    record = read_record(paths)
    if record is None:
        return
    inv = load_inventory()
    topo = build_topology(inv, record.scale)  # type: ignore[arg-type]
    for node in (n for n in record.nodes if n.kind == "host"):
        pids = [hosts.init_pid(paths, node), read_pid(hosts.host_dir(paths, node) / "unshare.pid")]
        kill_all(p for p in pids if p is not None)
        hosts.start_host(paths, inv, topo, node)
