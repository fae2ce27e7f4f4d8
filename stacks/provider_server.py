"""Pulumi's Python dynamic-provider server with more worker threads than its own four.

`pulumi.dynamic` serves every dynamic resource of a stack run from one process through a gRPC
server of 4 threads, so at most 4 vCenter calls are in flight however wide the engine's
`--parallel` is; vCenter tasks (CreateVM_Task, PowerOnVM_Task…) spend their time waiting. This
module runs the same server with `WORKERS` threads. engine.py points the provider script's
`$PULUMI_PYTHON_CMD` at a wrapper that starts this module instead of `-m pulumi.dynamic`.
"""

from concurrent import futures
from types import SimpleNamespace
from typing import Any

WORKERS = 16


def _pool(max_workers: int | None = None, **kwargs: Any) -> futures.ThreadPoolExecutor:
    return futures.ThreadPoolExecutor(max_workers=max(WORKERS, max_workers or 0), **kwargs)


def main() -> None:
    import pulumi.dynamic.__main__ as server

    server.futures = SimpleNamespace(ThreadPoolExecutor=_pool)  # type: ignore[attr-defined,assignment]
    server.main()  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    main()
