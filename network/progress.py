"""A rich progress bar on a terminal (stderr); nothing when piped or in CI."""

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from provdc.network.push import Phase
from provdc.network.scope import Managed


@contextmanager
def device_progress(total: int, title: str) -> Iterator[Phase | None]:
    """Yields an on_phase(device, phase) callback that advances the bar when a device finishes."""
    if not sys.stderr.isatty():
        yield None
        return
    lock = threading.Lock()
    seen: set[str] = set()
    with Progress(
        TextColumn(f"[bold]{title}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    ) as bar:
        task = bar.add_task(title, total=total, last="")

        def on_phase(device: Managed, phase: str) -> None:
            with lock:
                bar.update(task, last=f"{device.hostname}: {phase}")
                if phase == "done" and device.hostname not in seen:
                    seen.add(device.hostname)
                    bar.advance(task)

        yield on_phase
