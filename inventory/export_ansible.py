"""The inventory as Ansible sees it: the JSON of `ansible-inventory --list`.

VMs are grouped by their workload group (roles/site.yml maps groups to roles); routers are grouped
by platform with the collection's network_os, so Ansible network modules can use them too.

Every string of a host's or a group's variables goes out as `{"__ansible_unsafe": "..."}`, the form
Ansible's inventory-script decoder reads as a value never to template: a `{{ lookup(...) }}` that
reached the inventory stays text and never runs on the controller.
"""

from typing import Any

from provdc.inventory.model import Inventory
from provdc.inventory.platforms import PLATFORMS


def unsafe(value: Any) -> Any:
    """`value` with every string in it marked as one Ansible must not template."""
    if isinstance(value, str):
        return {"__ansible_unsafe": value}
    if isinstance(value, dict):
        return {key: unsafe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [unsafe(item) for item in value]
    return value


def ansible_inventory(inv: Inventory) -> dict[str, Any]:
    groups: dict[str, dict[str, Any]] = {}
    hostvars: dict[str, dict[str, Any]] = {}

    def add(group: str, host: str) -> None:
        groups.setdefault(group, {"hosts": []})["hosts"].append(host)

    for vm in inv.workloads:
        add(vm.group, vm.name)
        hostvars[vm.name] = {
            "ansible_host": str(vm.address),
            "provdc_group": vm.group,
            "provdc_service": vm.service,
            "provdc_security_level": vm.security_level,
            "provdc_cluster": vm.cluster,
            "provdc_os": vm.os,
        }
    for site in inv.sites.values():
        r = site.router
        add(f"platform_{r.platform}", r.hostname)
        hostvars[r.hostname] = {
            "ansible_host": str(r.mgmt_address),
            "ansible_network_os": PLATFORMS[r.platform].ansible_network_os,
            "ansible_connection": "ansible.netcommon.network_cli",
            "provdc_site": site.id,
            "provdc_site_name": site.name,
            "provdc_site_kind": site.kind,
            "provdc_asn": r.asn,
        }
    vm_groups = sorted({vm.group for vm in inv.workloads})
    router_groups = sorted(g for g in groups if g.startswith("platform_"))
    s = inv.services
    out: dict[str, Any] = {
        "_meta": {"hostvars": unsafe(hostvars)},
        "all": {
            "children": ["ungrouped", "vms", "routers"],
            "vars": unsafe(
                {
                    "provdc_province": inv.province.name,
                    "provdc_timezone": inv.province.timezone,
                    "provdc_ntp_servers": [str(a) for a in s.ntp],
                    "provdc_dns_servers": [str(a) for a in s.dns],
                    "provdc_syslog": {
                        "address": str(s.syslog.address),
                        "port": s.syslog.port,
                        "protocol": s.syslog.protocol,
                    },
                    "provdc_management_networks": [str(n) for n in s.management_networks],
                    "provdc_snmp_user": s.snmp.user,
                    # province data for roles that name the province (set ones only)
                    **{
                        f"provdc_{k}": v
                        for k, v in (
                            ("domain", inv.province.domain),
                            ("portal_host", inv.province.portal_host),
                            ("noc_contact", inv.province.noc_contact),
                        )
                        if v
                    },
                }
            ),
        },
        "ungrouped": {"hosts": []},
        "vms": {"children": vm_groups},
        "routers": {"children": router_groups},
    }
    out.update(groups)
    return out
