"""What one command reaches: the inventory's sites, devices and hosts a target holds, and how.

Built once from the inventory, the target and an optional site glob; `net`, `monitor` and `hosts`
all read it. A lab target (`target.lab`, written by `lab up`) narrows everything to what the lab
built and realises every router as the lab's platform. Those facts are in the target file itself,
which `lab up` writes world-readable with references only, so reading them needs no root.
"""

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from provdc.inventory.errors import TargetError
from provdc.inventory.model import VM, Device, Inventory, Site
from provdc.inventory.platforms import Platform
from provdc.inventory.targets import DeviceAccess, LabScope, SnmpAccess, Target

GLOB_KEYS = "site ids, codes and hostnames"


def check_glob(glob: str | None) -> str | None:
    """The `--site` glob as given; an empty or blank one is an error (it would match nothing)."""
    if glob is not None and not glob.strip():
        raise TargetError(f"--site: empty glob; give a glob over {GLOB_KEYS}, or leave --site out")
    return glob


def site_matches(site: Site, glob: str) -> bool:
    """The one `--site` rule: a case-sensitive glob over the site's id, code and router hostname."""
    return any(fnmatchcase(key, glob) for key in (site.id, site.code, site.router.hostname))


def device_matches(inventory: Inventory, device: Device, glob: str) -> bool:
    """A device matches by its site (the rule above) or its own name; PEs' site is `carrier`."""
    site = inventory.sites.get(device.site)
    if site is not None and site_matches(site, glob):
        return True
    return fnmatchcase(device.name, glob) or fnmatchcase(device.site, glob)


def matching_sites(inventory: Inventory, glob: str | None) -> list[Site]:
    """Every site the glob matches (all without one); a glob that matches none is an error."""
    sites = list(inventory.sites.values())
    glob = check_glob(glob)
    if glob is None:
        return sites
    chosen = [s for s in sites if site_matches(s, glob)]
    if not chosen:
        raise TargetError(f"no site matches '{glob}' (a glob over {GLOB_KEYS})")
    return chosen


@dataclass(frozen=True)
class RouterReach:
    """A site router as a command reaches it: its platform on this target, address, SSH access."""

    site: Site
    hostname: str
    platform: Platform
    address: str
    access: DeviceAccess  # port, credential references, host-key policy


@dataclass(frozen=True)
class DeviceReach:
    """A device to poll: its address, the target's SNMP access, its site's WAN link if it has one."""

    device: Device
    address: str
    snmp: SnmpAccess
    wan: tuple[str, int] | None  # (interface name on this target, Mb/s) of a site router


@dataclass(frozen=True)
class Scope:
    inventory: Inventory
    target: Target
    site_glob: str | None = None

    @property
    def lab(self) -> LabScope | None:
        return self.target.lab

    @property
    def in_lab(self) -> bool:
        return self.target.lab is not None

    def sites(self) -> list[Site]:
        """The matching sites; in the lab only those with a router of the lab."""
        sites = matching_sites(self.inventory, self.site_glob)
        if self.lab is None:
            return sites
        built, built_sites = set(self.lab.routers), set(self.lab.router_sites)
        # by site too: a reorganisation renames routers the lab built under their old names
        in_lab = [s for s in sites if s.router.hostname in built or s.id in built_sites]
        if not in_lab:
            raise TargetError(f"no router of the lab matches '{self.site_glob}' (lab routers: {len(built)})")
        return in_lab

    def routers(self) -> list[RouterReach]:
        """The site routers to configure, each as its platform here (the lab's for a lab target)."""
        return [
            RouterReach(
                s,
                s.router.hostname,
                self.lab.platform if self.lab is not None else s.router.platform,
                str(s.router.mgmt_address),
                self.target.devices,
            )
            for s in self.sites()
        ]

    def devices(self) -> list[DeviceReach]:
        """The managed devices to poll: of matching sites (or by name), built in the lab if a lab."""
        check_glob(self.site_glob)
        built = None if self.lab is None else {*self.lab.routers, *self.lab.pes}
        chosen = []
        for device in self.inventory.devices():
            if self.site_glob is not None and not device_matches(self.inventory, device, self.site_glob):
                continue
            if built is not None and device.name not in built:
                continue  # not built at this lab scale
            chosen.append(DeviceReach(device, str(device.mgmt_address), self.target.snmp, self._wan(device)))
        if self.site_glob is not None and not chosen:
            where = "of the lab " if self.lab is not None else ""
            raise TargetError(f"no device {where}matches '{self.site_glob}' (a glob over {GLOB_KEYS})")
        return chosen

    def _wan(self, device: Device) -> tuple[str, int] | None:
        site = self.inventory.sites.get(device.site)
        if site is None or site.router.hostname != device.name:
            return None
        interface = self.lab.wan_interface if self.lab is not None else site.wan.interface
        return interface, site.wan.bandwidth_mbps

    def hosts(self) -> list[VM]:
        """The VMs that exist as hosts on this target: every workload, or the lab's."""
        if self.lab is None:
            return list(self.inventory.workloads)
        built = set(self.lab.hosts)
        if not built:
            raise TargetError("the lab has no hosts up: flock /run/provdc-lab-session.lock provdc lab up")
        hosts = [vm for vm in self.inventory.workloads if vm.name in built]
        if not hosts:
            raise TargetError("the lab's hosts are not in this inventory")
        return hosts


def build_scope(inventory: Inventory, target: Target, site_glob: str | None = None) -> Scope:
    """The scope of a command; a lab target whose lab is down is an error here, before any work."""
    check_glob(site_glob)
    lab = target.lab
    if lab is not None and not Path(lab.record).is_file():
        raise TargetError(f"target {target.name}: the lab is not up (no {lab.record}); run provdc lab up")
    return Scope(inventory, target, site_glob)
