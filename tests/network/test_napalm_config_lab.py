"""napalm.base.test.base.TestConfigNetworkDriver live against a lab FRR router, opened through
NAPALM's own `get_network_driver("frr")`: replace, typo, diff and discard, rollback, merge, merge
typo, load_template. The files it reads are built from the router's running config (read with
vtysh over nsenter, not through the driver); the expected diffs are written here by hand."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from napalm import get_network_driver  # type: ignore[import-untyped]
from napalm.base.test import base as napalm_base  # type: ignore[import-untyped]
from net_lab import LabRouter, have_frr, running

from provdc.inventory import Inventory, load_target, secret

pytestmark = [pytest.mark.lab, pytest.mark.skipif(not have_frr(), reason="FRR tools not installed")]
SITE = "dist-288"
GOOD = "ip prefix-list NAPALM-TEST seq 5 permit 192.0.2.0/24"
MERGE = "ip prefix-list NAPALM-MERGE seq 5 permit 198.51.100.0/24"
TYPO = "ip adress 192.0.2.1/32"


def _files(folder: Path, initial: str) -> None:
    body = initial.rstrip().removesuffix("end").rstrip()
    (folder / "initial.conf").write_text(initial)
    (folder / "new_good.conf").write_text(f"{body}\n{GOOD}\nend\n")
    (folder / "new_good.diff").write_text(f"+ {GOOD}\n")
    (folder / "new_typo.conf").write_text(f"{body}\n{TYPO}\nend\n")
    (folder / "merge_good.conf").write_text(f"{MERGE}\n")
    (folder / "merge_good.diff").write_text(f"- {MERGE}\n")
    (folder / "merge_typo.conf").write_text(f"{MERGE.replace('MERGE', 'MERGE2')}\n{TYPO}\n")


class TestConfigFrrDriver(napalm_base.TestConfigNetworkDriver):  # type: ignore[misc]
    @classmethod
    def setup_class(cls) -> None:  # the fixture below opens the device, with the lab
        pass

    @classmethod
    def teardown_class(cls) -> None:
        pass

    def assertEqual(self, first: Any, second: Any) -> None:
        assert first == second

    def assertTrue(self, value: Any) -> None:
        assert value

    @pytest.fixture(autouse=True, scope="class")
    def _device(
        self, lab: Any, inventory: Inventory, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[None]:
        node = next(n for n in lab.nodes if n.site == SITE and n.kind == "router")
        router = LabRouter(node.name, node.site, node.namespace)
        initial = running(router)
        folder = tmp_path_factory.mktemp("napalm") / "frr"
        folder.mkdir()
        _files(folder, initial)
        target = load_target("lab")
        access = target.devices
        site = inventory.sites[SITE]
        cls = type(self)
        cls.vendor = str(folder)
        cls.device = get_network_driver("frr")(
            str(site.router.mgmt_address),
            secret(access.username_ref),
            secret(access.password_ref) if access.password_ref else "",
            optional_args={"key_file": access.key_file, "host_keys": "lab"},
        )
        cls.device.open()
        yield
        cls.tearDownClass()
        assert running(router) == initial
