"""Record a lab router's answers to every command a getter runs, in NAPALM's mocked_data layout.

Run as root with the lab up:  .venv/bin/python tests/network/frr_napalm/record.py <site id>
Secrets in the answers (the lab's SNMP keys and community) are replaced before writing.

Only the raw command outputs are written. The getters' results are thrown away on purpose:
expected_result.json is written by hand from the raw outputs (see README.md), never from the
driver under test.
"""

import sys
from pathlib import Path
from typing import Any

from napalm.base.test.double import BaseTestDouble  # type: ignore[import-untyped]

from provdc.inventory import load_inventory, load_target, secret
from provdc.network.connect import open_driver
from provdc.network.drivers.shell import Result
from provdc.network.scope import Managed

HERE = Path(__file__).parent / "mocked_data"
GETTERS: dict[str, Any] = {
    "test_is_alive": lambda d: d.is_alive(),
    "test_get_facts": lambda d: d.get_facts(),
    "test_get_interfaces": lambda d: d.get_interfaces(),
    "test_get_interfaces_ip": lambda d: d.get_interfaces_ip(),
    "test_get_interfaces_counters": lambda d: d.get_interfaces_counters(),
    "test_get_environment": lambda d: d.get_environment(),
    "test_get_bgp_neighbors": lambda d: d.get_bgp_neighbors(),
    "test_get_bgp_neighbors_detail": lambda d: d.get_bgp_neighbors_detail(),
    "test_get_arp_table": lambda d: d.get_arp_table(),
    "test_get_route_to": lambda d: d.get_route_to(destination="1.0.4.0/24", protocol="bgp"),
    "test_get_route_to_longer": lambda d: d.get_route_to("1.0.4.0/24", "bgp", longer=True),
    "test_get_snmp_information": lambda d: d.get_snmp_information(),
    "test_get_users": lambda d: d.get_users(),
    "test_get_config": lambda d: d.get_config(),
    "test_get_config_filtered": lambda d: [
        d.get_config(retrieve=r) for r in ("running", "startup", "candidate")
    ][-1],
    "test_get_config_sanitized": lambda d: d.get_config(sanitized=True),
    "test_get_config_sanitized_filtered": lambda d: [
        d.get_config(retrieve=r, sanitized=True) for r in ("running", "startup")
    ],
}


class Recorder:
    def __init__(self, shell: Any, folder: Path, secrets: list[str]) -> None:
        self.shell, self.folder, self.secrets = shell, folder, secrets

    def run(self, command: str, stdin: str | None = None, timeout: float = 60) -> Result:
        result: Result = self.shell.run(command, stdin=stdin, timeout=timeout)
        text = result.stdout
        for value in self.secrets:
            text = text.replace(value, "LAB-SECRET")
        name = BaseTestDouble.sanitize_text(command) + ".txt"
        (self.folder / name).write_text(text, encoding="utf-8")
        return Result(result.status, text, result.stderr)

    def close(self) -> None:
        self.shell.close()


def main(site_id: str) -> None:
    inventory, target = load_inventory(), load_target("lab")
    site = inventory.sites[site_id]
    device = Managed(site, site.router.hostname, "frr", str(site.router.mgmt_address))
    snmp = target.snmp
    secrets = [secret(r) for r in (snmp.auth_key_ref, snmp.priv_key_ref, snmp.community_ref) if r]
    driver = open_driver(device, target)
    real = driver.shell
    for test, getter in GETTERS.items():
        folder = HERE / test / "normal"
        folder.mkdir(parents=True, exist_ok=True)
        driver.shell = Recorder(real, folder, secrets)
        getter(driver)  # run for the commands it sends; its result is not kept
    driver.shell = real
    driver.close()


if __name__ == "__main__":
    main(sys.argv[1])
