"""Rules every command shares: finite floats, a --site that selects something, tables shown literally."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.utils import get_params_from_function

from provdc.options import finite, site_glob
from provdc.output import rich_table


def _options() -> list[tuple[str, str, object, object]]:
    """(command, parameter, its type, its OptionInfo) of every command of every area."""
    from provdc.commands import hosts, inventory, lab, monitor, net, stack

    found = []
    for module in (hosts, inventory, lab, monitor, net, stack):
        for command in module.app.registered_commands:
            func = command.callback
            assert func is not None
            for name, param in get_params_from_function(func).items():  # Annotated or default style
                found.append((f"{module.__name__} {func.__name__}", name, param.annotation, param.default))
    return found


def test_every_float_option_refuses_nan_and_every_site_option_an_empty_glob() -> None:
    floats, sites = [], []
    for command, name, kind, info in _options():
        if kind in (float, float | None):
            floats.append(command)
            assert isinstance(info, typer.models.OptionInfo) and info.callback is finite, (command, name)
        if isinstance(info, typer.models.OptionInfo) and "--site" in (info.param_decls or ()):
            sites.append(command)
            assert info.callback is site_glob, (command, name)
    assert "provdc.commands.monitor poll" in floats and "provdc.commands.net push" in floats
    assert {
        "provdc.commands.net render",
        "provdc.commands.net rollback",
        "provdc.commands.monitor serve",
    } <= set(sites)


def test_every_command_that_reads_a_target_or_sites_takes_inventory() -> None:
    flags: dict[str, set[str]] = {}
    for command, _, _, info in _options():
        decls = info.param_decls if isinstance(info, typer.models.OptionInfo) else None
        flags.setdefault(command, set()).update(decls or ())
    reads = {c for c, f in flags.items() if {"--target", "--site"} & f}
    assert {f"provdc.commands.monitor {c}" for c in ("poll", "watch", "serve")} <= reads
    assert sorted(c for c in reads if not {"--inventory", "-i"} <= flags[c]) == []


def _one_line_failure(*args: str) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "provdc", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 1, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    return run.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("monitor", "poll", "--agent", "127.0.0.1:9", "--community", "x", "--timeout", "nan"),
        ("monitor", "poll", "--agent", "127.0.0.1:9", "--community", "x", "--deadline", "inf"),
        ("monitor", "poll", "--agent", "127.0.0.1:9", "--community", "x", "--sample", "-inf"),
        ("monitor", "watch", "--agent", "127.0.0.1:9", "--community", "x", "--interval", "1e999"),
        ("monitor", "serve", "--agent", "127.0.0.1:9", "--community", "x", "--interval", "NaN"),
        ("net", "push", "--target", "lab", "--gate-timeout", "infinity"),
    ],
)
def test_non_finite_floats_are_one_line(args: tuple[str, ...]) -> None:
    assert "not a finite number" in _one_line_failure(*args)


@pytest.mark.parametrize("glob", ["", "  ", "*", " ** "])
@pytest.mark.parametrize(
    "command",
    [("net", "render"), ("net", "rollback", "--target", "lab"), ("monitor", "poll", "--target", "lab")],
)
def test_a_glob_that_selects_everything_is_refused(command: tuple[str, ...], glob: str) -> None:
    assert "would select every site" in _one_line_failure(*command, "--site", glob)


def test_a_real_glob_still_selects() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "provdc", "net", "render", "--site", "com-1050*"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "hostname ce-10507-cam-thuong" in run.stdout


HOSTILE = ["[/bold] X", "[link=http://evil.example]click[/link]", "esc\x1b[2Jclear"]


def test_rich_tables_show_cells_literally() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="truecolor", width=200, record=True)
    console.print(rich_table("[bold]t", ["[i]col"], [[h] for h in HOSTILE]))
    shown = console.export_text()
    raw = out.getvalue()
    assert "[/bold] X" in shown and "[link=http://evil.example]click[/link]" in shown
    assert "esc\\x1b[2Jclear" in shown and "[bold]t" in shown and "[i]col" in shown
    assert "\x1b]8;" not in raw  # no OSC-8 hyperlink
    assert "\x1b[2J" not in raw


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) for a terminal")
def test_inventory_show_on_a_terminal(inventory_copy: Path) -> None:
    communes = inventory_copy / "communes.yml"
    text = communes.read_text(encoding="utf-8")
    communes.write_text(text.replace('name: "Cẩm Thượng"', 'name: "[/bold] Cẩm [link=http://e.example]x"', 1))
    cmd = f"{sys.executable} -m provdc inventory show com-10507 -i {inventory_copy}"
    run = subprocess.run(
        ["script", "-qec", cmd, "/dev/null"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"TERM": "xterm", "PATH": "/usr/bin:/bin", "COLUMNS": "200"},
        check=False,
    )
    if run.returncode == 1 and "name" in run.stdout:
        pytest.skip("the schema refuses brackets in names")
    assert run.returncode == 0, run.stdout
    assert "[/bold] Cẩm [link=http://e.example]x" in run.stdout
    assert "\x1b]8;" not in run.stdout and "Traceback" not in run.stdout


def test_help_lists_every_area_and_an_area_alone_still_runs() -> None:
    """The CLI imports only the area a command names; `provdc --help` still lists them all."""
    from provdc.app import AREAS

    run, wide = [sys.executable, "-m", "provdc"], {**os.environ, "COLUMNS": "200"}
    listing = subprocess.run([*run, "--help"], capture_output=True, text=True, check=True, env=wide)
    assert all(f" {area} " in listing.stdout for area in AREAS), listing.stdout
    probe = "import sys, runpy; sys.argv = ['provdc', 'stack', '--help']\n"
    probe += "try:\n    runpy.run_module('provdc', run_name='__main__')\nexcept SystemExit:\n    pass\n"
    probe += "print(sorted(m for m in sys.modules if m.startswith('provdc.commands.')))"
    alone = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert alone.stdout.strip().splitlines()[-1] == "['provdc.commands.stack']", alone.stdout
