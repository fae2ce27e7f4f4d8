"""NAPALM's own getter tests on the FRR driver, set up as NAPALM's drivers set up theirs."""

import sys
from pathlib import Path
from typing import Any

import pytest
from napalm.base.test import conftest as parent_conftest  # type: ignore[import-untyped]

from provdc.network.drivers.frr import FrrDriver

sys.path.insert(0, str(Path(__file__).parent))
from fake_shell import PatchedFrrDriver  # type: ignore[import-not-found]


@pytest.fixture(scope="class")
def set_device_parameters(request: Any) -> None:
    request.cls.driver = FrrDriver
    request.cls.patched_driver = PatchedFrrDriver
    request.cls.vendor = "frr"
    parent_conftest.set_device_parameters(request)


def pytest_generate_tests(metafunc: Any) -> None:
    parent_conftest.pytest_generate_tests(metafunc, __file__)
