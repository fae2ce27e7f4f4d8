"""Runs benchmarks side by side with their peer and records them in bench/RESULTS.md.

    .venv/bin/python bench/runner.py inventory      # one benchmark
    .venv/bin/python bench/runner.py                # all of them

Each benchmark is bench/bench_<name>.py with `run() -> list[Row]`. Its section in RESULTS.md
(between `<!-- bench:<name> -->` markers) is replaced by the new figures; other sections stay.
"""

import importlib.util
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"


@dataclass(frozen=True)
class Row:
    what: str
    ours_s: float
    peer: str
    peer_s: float
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.peer_s / self.ours_s if self.ours_s else float("inf")


def median_time(fn: Callable[[], object], repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def median_process(cmd: list[str], repeat: int, **kwargs: object) -> float:
    return median_time(lambda: subprocess.run(cmd, check=True, capture_output=True, **kwargs), repeat)  # type: ignore[call-overload]


def _machine() -> str:
    cpus = len(__import__("os").sched_getaffinity(0))
    return f"{platform.machine()}, {cpus} cores, Python {platform.python_version()}"


def _section(name: str, rows: list[Row], command: str) -> str:
    lines = [
        f"<!-- bench:{name} -->",
        f"### {name}",
        "",
        f"Command: `{command}` — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {_machine()}, "
        f"load average {__import__('os').getloadavg()[0]:.1f} when recorded (other work shares the machine)",
        "",
        "| what | provdc | peer | peer time | peer / provdc | note |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.what} | {r.ours_s * 1000:.1f} ms | {r.peer} | {r.peer_s * 1000:.1f} ms | "
            f"{r.ratio:.1f}× | {r.note} |"
        )
    lines.append(f"<!-- /bench:{name} -->")
    return "\n".join(lines)


def record(name: str, rows: list[Row], command: str) -> None:
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmarks\n"
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = _section(name, rows, command)
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main(names: list[str]) -> None:
    available = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    unknown = [name for name in names if name not in available]
    if unknown:
        sys.exit(f"bench: no benchmark '{unknown[0]}' (have: {', '.join(available)})")
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    command = " ".join([".venv/bin/python bench/runner.py", *names]) + f" (run started {started})"
    failed = []
    for name in names or available:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"bench_{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
            rows = module.run()
        except (Exception, SystemExit) as exc:  # one failed benchmark must not lose the others' figures
            print(f"{name}: failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed.append(name)
            continue
        record(name, rows, command)
        for r in rows:
            print(
                f"{name}: {r.what}: {r.ours_s * 1000:.1f} ms vs {r.peer} {r.peer_s * 1000:.1f} ms "
                f"({r.ratio:.1f}×)"
            )
    if failed:
        sys.exit(f"bench: failed: {', '.join(failed)}")


if __name__ == "__main__":
    main(sys.argv[1:])
