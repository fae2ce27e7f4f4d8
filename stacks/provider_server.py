"""Pulumi's Python dynamic-provider server with more worker threads than its own four.

`pulumi.dynamic` serves every dynamic resource of a stack run from one process through a gRPC
server of 4 threads, so at most 4 vCenter calls are in flight however wide the engine's
`--parallel` is; vCenter tasks (CloneVM_Task, ReconfigVM_Task…) spend their time waiting. This
module runs the same server with at least `WORKERS` threads. engine.py points the provider
script's `$PULUMI_PYTHON_CMD` at a wrapper that starts this module instead of `-m pulumi.dynamic`.

`pulumi.dynamic.__main__` starts serving as it is imported (its last line calls `main()`, which
never returns), so the pool cannot be changed on the imported module: the executor class it
takes from `concurrent.futures` is widened before the import (any other pool of the provider
process gets at least as many threads too, which costs nothing until they are used).
"""

import concurrent.futures
from typing import Any

WORKERS = 16


class _WidePool(concurrent.futures.ThreadPoolExecutor):
    def __init__(self, max_workers: int | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(max(WORKERS, max_workers or 0), *args, **kwargs)


def main() -> None:
    concurrent.futures.ThreadPoolExecutor = _WidePool  # type: ignore[misc]
    import pulumi.dynamic.__main__  # noqa: F401  (serves until the engine stops the process)


if __name__ == "__main__":
    main()
