"""What a reorganisation changes downstream, found by running each consumer on both inventories.

Router configs are rendered from the old and the new model and compared line by line; the Ansible
inventory and the monitoring labels are produced by their own code for both; VMs (and so their
vSphere tags, which follow their security level) are compared as the model holds them. Nothing
here guesses what a consumer does with a name: a consumer that starts using one shows up here.
"""

import difflib
import importlib
import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from provdc.inventory.export_ansible import ansible_inventory
from provdc.inventory.model import Inventory


@dataclass
class ConfigChange:
    site: str
    old_hostname: str
    new_hostname: str
    removed: list[str]
    added: list[str]


@dataclass
class ChangeReport:
    renames: dict[str, str]
    routers: list[ConfigChange] = field(default_factory=list)
    vms: list[str] = field(default_factory=list)
    ansible_hosts_renamed: int = 0
    ansible_groups: dict[str, dict[str, int]] = field(default_factory=dict)  # group -> left/joined
    ansible_vars: dict[str, int] = field(default_factory=dict)  # variable -> hosts where it changes
    monitoring: dict[str, int] = field(default_factory=dict)  # label -> devices where it changes
    monitoring_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)

    def as_text(self) -> str:
        lines = self.summary()
        lines.append("rename map (old hostname -> new):")
        lines += [f"  {a} -> {b}" for a, b in sorted(self.renames.items())]
        return "\n".join(lines)

    def summary(self) -> list[str]:
        lines = [
            f"hostnames renamed: {len(self.renames)}",
            f"router configs changed: {len(self.routers)} "
            f"({sum(len(c.added) for c in self.routers)} lines added, "
            f"{sum(len(c.removed) for c in self.routers)} removed)",
            f"VMs changed: {len(self.vms)}"
            + (f" ({', '.join(self.vms)})" if self.vms else " (tags unchanged)"),
            f"Ansible hosts renamed: {self.ansible_hosts_renamed}",
        ]
        lines += [
            f"Ansible group {g}: {n['left']} left, {n['joined']} joined"
            for g, n in self.ansible_groups.items()
        ]
        lines += [f"Ansible variable {v}: changes on {n} hosts" for v, n in self.ansible_vars.items()]
        lines += [f"monitoring label {k}: changes on {n} devices" for k, n in self.monitoring.items()]
        if self.monitoring_note:
            lines.append(f"monitoring labels: {self.monitoring_note}")
        return lines


def _configs(old: Inventory, new: Inventory) -> list[ConfigChange]:
    render = importlib.import_module("provdc.network.render")
    before = {r.site.id: r for r in render.render_sites(old, list(old.sites.values()))}
    after = {r.site.id: r for r in render.render_sites(new, list(new.sites.values()))}
    out = []
    for site_id, b in before.items():
        a = after[site_id]
        if a.text == b.text:
            continue
        diff = list(difflib.ndiff(b.text.splitlines(), a.text.splitlines()))
        out.append(
            ConfigChange(
                site_id,
                b.hostname,
                a.hostname,
                [d[2:] for d in diff if d.startswith("- ")],
                [d[2:] for d in diff if d.startswith("+ ")],
            )
        )
    return out


def _ansible(report: ChangeReport, old: Inventory, new: Inventory) -> None:
    a, b = ansible_inventory(old), ansible_inventory(new)
    report.ansible_hosts_renamed = sum(1 for h in a["_meta"]["hostvars"] if h not in b["_meta"]["hostvars"])
    back = {v: k for k, v in report.renames.items()}
    for group in sorted(set(a) | set(b)):
        if group == "_meta" or "hosts" not in a.get(group, b.get(group, {})):
            continue
        olds = set(a.get(group, {}).get("hosts", []))
        news = {back.get(h, h) for h in b.get(group, {}).get("hosts", [])}
        if olds != news:
            report.ansible_groups[group] = {"left": len(olds - news), "joined": len(news - olds)}
    for host, vars_ in a["_meta"]["hostvars"].items():
        other = b["_meta"]["hostvars"].get(report.renames.get(host, host), {})
        for name in sorted(set(vars_) | set(other)):
            if vars_.get(name) != other.get(name):
                report.ansible_vars[name] = report.ansible_vars.get(name, 0) + 1
    for name in sorted(set(a["all"]["vars"]) | set(b["all"]["vars"])):
        if a["all"]["vars"].get(name) != b["all"]["vars"].get(name):
            report.ansible_vars[f"all.{name}"] = 1


def _monitoring(report: ChangeReport, old: Inventory, new: Inventory) -> None:
    try:
        export = importlib.import_module("provdc.monitoring.prometheus_export")
    except ImportError as exc:
        report.monitoring_note = f"not compared ({exc.name} is not available)"
        return
    new_devices = {d.site + "/" + d.role + "/" + str(d.mgmt_address): d for d in new.devices()}
    for d in old.devices():
        n = new_devices.get(d.site + "/" + d.role + "/" + str(d.mgmt_address))
        if n is None:
            continue
        before, after = export.device_labels(old, d), export.device_labels(new, n)
        for label in sorted(set(before) | set(after)):
            if before.get(label) != after.get(label):
                report.monitoring[label] = report.monitoring.get(label, 0) + 1


def change_report(old: Inventory, new: Inventory, renames: dict[str, str]) -> ChangeReport:
    report = ChangeReport(dict(renames))
    report.routers = _configs(old, new)
    new_vms = {vm.name: vm for vm in new.workloads}
    report.vms = [
        vm.name
        for vm in old.workloads
        if vm.name not in new_vms or replace(new_vms[vm.name], src=vm.src) != vm
    ]
    _ansible(report, old, new)
    _monitoring(report, old, new)
    return report
