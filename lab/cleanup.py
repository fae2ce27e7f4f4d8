"""Removing every lab object, found by its prefix: works after a crash and for a lab of another checkout."""

import json
from pathlib import Path

from provdc.lab.paths import FRR_ETC, FRR_RUN
from provdc.lab.plumbing import LO_LABEL
from provdc.lab.system import ip_batch, kill_all, namespaces, pids_in, run
from provdc.lab.topology import MGMT_PREFIX, PREFIX
from provdc.lab.vcsim import marked

HOST_MOUNT_MARK = "/lab/hosts/"


def leftovers() -> dict[str, list[str]]:
    """Every lab object still on the machine, by kind; empty lists when the machine is clean."""
    ns = namespaces(PREFIX)
    procs = [str(p) for pids in pids_in(ns).values() for p in pids]
    links = [
        link["ifname"]
        for link in json.loads(run(["ip", "-j", "link", "show"]) or "[]")
        if link.get("ifname", "").startswith(MGMT_PREFIX)
    ]
    addrs = [
        f"{a['local']}/{a['prefixlen']}"
        for dev in json.loads(run(["ip", "-j", "addr", "show", "dev", "lo"]) or "[]")
        for a in dev.get("addr_info", [])
        if a.get("label") == LO_LABEL
    ]
    mounts = [
        line.split()[4]
        for line in Path("/proc/self/mountinfo").read_text().splitlines()
        if HOST_MOUNT_MARK in line.split()[4] or f"/netns/{PREFIX}" in line.split()[4]
    ]
    links_fs = [str(p) for d in (FRR_ETC, FRR_RUN) if d.is_dir() for p in d.glob(PREFIX + "*")]
    return {
        "vcsim": [str(p) for p in marked()],
        "namespaces": ns,
        "processes": procs,
        "veths": links,
        "addresses": addrs,
        "mounts": mounts,
        "frr_links": links_fs,
    }


def clean() -> None:
    """Stop every process in a lab namespace and the lab's vcsim, then remove namespaces, veths,
    addresses and links."""
    ns = namespaces(PREFIX)
    kill_all([*(p for pids in pids_in(ns).values() for p in pids), *marked()])
    left = leftovers()
    for m in sorted(left["mounts"], key=len, reverse=True):
        run(["umount", "-l", m], check=False)
    ip_batch([f"netns delete {n}" for n in ns], force=True)
    ip_batch([f"link delete {v}" for v in left["veths"]], force=True)
    ip_batch([f"address delete {a} dev lo" for a in left["addresses"]], force=True)
    for p in left["frr_links"]:
        path = Path(p)
        if path.is_symlink():
            path.unlink()
