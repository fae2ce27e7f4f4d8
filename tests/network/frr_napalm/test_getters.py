"""napalm.base.test.getters.BaseTestGetters on output recorded from a lab FRR 8.4.4 router
(mocked_data/: raw command outputs written by record.py, each expected_result.json written by hand
from them, see README.md): every getter's model, types and result."""

import pytest
from napalm.base.test.getters import BaseTestGetters  # type: ignore[import-untyped]


@pytest.mark.usefixtures("set_device_parameters")
class TestGetter(BaseTestGetters):  # type: ignore[misc]
    def test_get_lldp_neighbors(self) -> None:
        """NAPALM's test wants neighbors; FRR has no LLDP daemon, so the driver says none."""
        assert self.device.get_lldp_neighbors() == {}

    def test_get_ntp_servers(self) -> None:
        pytest.skip("the lab's routers run no time service: nothing recorded to replay")

    def test_get_arp_table_with_vrf(self) -> None:
        pytest.skip("the lab's routers have no VRF: nothing recorded to replay")
