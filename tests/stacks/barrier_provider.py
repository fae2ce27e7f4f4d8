"""A dynamic provider whose create returns only once `PARTIES` creates are in flight at once
(imported by the provider server of test_provider_server.py)."""

import threading
from typing import Any

from pulumi.dynamic import CreateResult, ResourceProvider

PARTIES = 8
_BARRIER = threading.Barrier(PARTIES, timeout=20)


class BarrierProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        _BARRIER.wait()
        return CreateResult(str(props["name"]), {})
