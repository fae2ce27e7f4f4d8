"""The lab's vCenter: vcsim shaped like the inventory, beside the nodes on 127.0.0.1.

Started by `up` when the vcsim binary is there (scripts/setup.d/55-vcsim.sh), with generated
credentials; `PROVDC_LAB_VCSIM` in its environment marks it, so that `clean()` finds it after a
crash or from another checkout, as it finds the nodes' processes by their namespace.
"""

from pathlib import Path
from typing import Any

from provdc.core.errors import ProvdcError
from provdc.inventory.model import Vsphere
from provdc.lab.credentials import ensure_secret, read_secret
from provdc.lab.paths import LabPaths
from provdc.lab.system import kill_all
from provdc.stacks import vcsim, vsphere
from provdc.stacks.errors import StackError
from provdc.stacks.vsphere import Access, vim

MARK = "PROVDC_LAB_VCSIM"
USER_SECRET, PASSWORD_SECRET = "vcsim-username", "vcsim-password"


def access(paths: LabPaths, url: str) -> Access:
    return Access(url, read_secret(paths, USER_SECRET), read_secret(paths, PASSWORD_SECRET), insecure=True)


def healthy(paths: LabPaths, inventory: Vsphere) -> bool:
    """It runs, takes the lab's login and holds the inventory's datacenter."""
    url = vcsim.running(paths.vcsim)
    if url is None:
        return False
    try:
        with vsphere.connect(access(paths, url)) as si:
            return vsphere.find(si, vim.Datacenter, inventory.datacenter) is not None
    except (ProvdcError, OSError):
        return False


def ensure(paths: LabPaths, inventory: Vsphere) -> tuple[str | None, str]:
    """(its URL, what was done): a healthy one is kept, a dead or sick one restarted.

    Without the binary: (None, the one line that says so); the lab comes up without vSphere.
    """
    try:
        vcsim.binary()
    except StackError as exc:
        stop(paths)  # one of an earlier binary would no longer match the target
        return None, f"vSphere left out: {exc}"
    if healthy(paths, inventory):
        return vcsim.running(paths.vcsim), "vcsim already up"
    stop(paths)
    ensure_secret(paths, USER_SECRET)
    password = ensure_secret(paths, PASSWORD_SECRET)
    sim = vcsim.start(
        inventory, paths.vcsim, read_secret(paths, USER_SECRET), password, env={MARK: str(paths.root)}
    )
    return sim.url, f"vcsim up at {sim.url}"


def stop(paths: LabPaths) -> None:
    vcsim.stop(paths.vcsim)
    kill_all(marked())


def service(paths: LabPaths) -> dict[str, Any] | None:
    """The lab's vcsim when it runs (for `lab status`), else None.

    No secret: its credentials are behind the generated target `lab`'s `vcenter:` references.
    """
    found = vcsim.info(paths.vcsim)
    if found is None:
        return None
    return {**found, "workdir": str(paths.vcsim), "target": "lab", "version": vcsim.VERSION}


def marked() -> list[int]:
    """Every process carrying the lab's mark, of this checkout's lab or another's."""
    found = []
    needle = f"\0{MARK}=".encode()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                environ = b"\0" + (proc / "environ").read_bytes()
            except OSError:
                continue
            if needle in environ:
                found.append(int(proc.name))
    return found
