"""`provdc net`: render, diff, push, back up and roll back the CE router configs."""

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from provdc.core.errors import ProvdcError
from provdc.inventory import Inventory, Target, load_inventory, load_target
from provdc.inventory.platforms import PLATFORMS
from provdc.inventory.scope import build_scope
from provdc.network import fleet as fleet_ops
from provdc.network.progress import device_progress
from provdc.network.push import PushOptions, push_devices
from provdc.network.render import render_sites, select_sites, write_rendered
from provdc.network.results import DeviceResult, report, write_report
from provdc.network.scope import Managed, managed_devices
from provdc.options import FormatOpt, InventoryOpt, RequiredSiteOpt, SiteOpt, TargetOpt, finite, with_options
from provdc.output import Format, print_json, print_table

app = typer.Typer(
    help="Render, diff, push, back up and roll back the CE router configs.", no_args_is_help=True
)

WorkersOpt = Annotated[
    int, typer.Option("--max-workers", "-w", min=1, max=64, help="Devices worked on at once.")
]
TimeoutOpt = Annotated[int, typer.Option("--timeout", min=1, help="Seconds per command on a device.")]


@dataclass(frozen=True)
class _Fleet:
    """What every device command starts from: the inventory, the target, the matching routers."""

    inventory: Inventory
    target: Target
    devices: list[Managed]
    max_workers: int
    timeout: int
    fmt: Format


def _fleet(
    target: TargetOpt,
    site: SiteOpt = None,
    max_workers: WorkersOpt = 8,
    timeout: TimeoutOpt = 60,
    fmt: FormatOpt = Format.table,
    inventory: InventoryOpt = None,
) -> _Fleet:
    inv, tgt = load_inventory(inventory), load_target(target, inventory)
    return _Fleet(inv, tgt, managed_devices(build_scope(inv, tgt, site)), max_workers, timeout, fmt)


_fleet_command = with_options(_fleet, "fleet")


def _show(
    title: str, results: list[DeviceResult], fmt: Format, bad: tuple[str, ...], **summary: object
) -> None:
    """The results as a table or a JSON report; exit 1 when any result is one of `bad`."""
    if fmt == Format.json:
        print_json(report(results, **summary))
    else:
        rows = [
            (r.name, r.site, r.result, r.reason or "", f"{r.seconds:.1f}s", r.detail[:100]) for r in results
        ]
        print_table(title, ["device", "site", "result", "reason", "time", "detail"], rows)
    if any(r.result in bad for r in results):
        raise typer.Exit(1)


@app.command()
def render(
    site: SiteOpt = None,
    platform: Annotated[
        str | None,
        typer.Option(
            "--platform", "-p", help=f"As this platform ({', '.join(PLATFORMS)}), not each site's own."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write one file per device into DIR.")
    ] = None,
    inventory: InventoryOpt = None,
) -> None:
    """Render the intended config of every matching router (stdout, or one file each with --out)."""
    inv = load_inventory(inventory)
    if platform is not None and platform not in PLATFORMS:
        raise ProvdcError(f"--platform {platform}: unknown (known: {', '.join(PLATFORMS)})")
    configs = render_sites(inv, select_sites(inv, site), platform)
    if out is None:
        for cfg in configs:
            sys.stdout.write(cfg.text)
        return
    written = write_rendered(configs, out)
    sys.stderr.write(f"{len(written)} configs written to {out}\n")


@app.command()
@_fleet_command
def diff(fleet: _Fleet) -> None:
    """Intended vs running for each router: `-` lines to remove, `+` lines to add (json: the report)."""
    results = fleet_ops.compliance(
        fleet.inventory, fleet.target, fleet.devices, fleet.max_workers, fleet.timeout
    )
    if fleet.fmt == Format.json:
        _show("", results, fleet.fmt, ("unreachable",), target=fleet.target.name)
        return
    for r in results:
        if r.result == "unreachable":
            sys.stdout.write(f"=== {r.name}: unreachable ({r.reason}: {r.detail})\n")
        elif r.diff:
            sys.stdout.write(f"--- {r.name} running\n+++ {r.name} intended\n{r.diff}\n")
    if any(r.result == "unreachable" for r in results):
        raise typer.Exit(1)


@app.command()
@_fleet_command
def push(
    fleet: _Fleet,
    commit: Annotated[
        bool, typer.Option("--commit", help="Apply the change (without it: a dry run).")
    ] = False,
    waves: Annotated[
        str, typer.Option("--waves", help="Where each wave ends: counts or shares.")
    ] = "1,10%,100%",
    gate_timeout: Annotated[
        float, typer.Option("--gate-timeout", callback=finite, help="Seconds a wave gets to pass its gate.")
    ] = 60.0,
    confirm_timeout: Annotated[
        int,
        typer.Option(
            "--confirm-timeout", min=1, help="Seconds after which an unconfirmed commit reverts itself."
        ),
    ] = 300,
    max_failures: Annotated[
        str,
        typer.Option(
            "--max-failures", help="Failed devices a wave may have (N or P% of it) before the rollout stops."
        ),
    ] = "0",
    report_file: Annotated[
        Path | None, typer.Option("--report", help="Write the JSON report to FILE.")
    ] = None,
) -> None:
    """Back up, push, gate each wave; roll a wave back when its gate fails. Exit 1 on any failure."""
    with device_progress(len(fleet.devices), "push" if commit else "push (dry run)") as on_phase:
        options = PushOptions(
            commit,
            waves,
            fleet.max_workers,
            fleet.timeout,
            gate_timeout,
            confirm_timeout,
            max_failures,
            on_phase,
        )
        results, summary = push_devices(fleet.inventory, fleet.target, fleet.devices, options)
    if report_file:
        write_report(report(results, **summary), report_file)
    _show(f"push to {fleet.target.name}", results, fleet.fmt, ("failed", "rolled_back", "skipped"), **summary)


@app.command()
@_fleet_command
def backup(fleet: _Fleet) -> None:
    """Running configs into state/backups/TARGET (git, one commit per run), each checked complete."""
    results, commit_id = fleet_ops.backup(fleet.target, fleet.devices, fleet.max_workers, fleet.timeout)
    _show(
        f"backup of {fleet.target.name}",
        results,
        fleet.fmt,
        ("failed",),
        target=fleet.target.name,
        commit=commit_id,
    )


@app.command()
@_fleet_command
def compliance(fleet: _Fleet) -> None:
    """Intended vs running per router: compliant, drifted or unreachable. Exit 1 unless all comply."""
    results = fleet_ops.compliance(
        fleet.inventory, fleet.target, fleet.devices, fleet.max_workers, fleet.timeout
    )
    _show(
        f"compliance of {fleet.target.name}",
        results,
        fleet.fmt,
        ("drifted", "unreachable"),
        target=fleet.target.name,
    )


@app.command()
@with_options(_fleet, "fleet", site=RequiredSiteOpt)
def rollback(fleet: _Fleet) -> None:
    """Put each matching router back to its last backup, then check it matches. Exit 1 on failure."""
    results = fleet_ops.rollback(fleet.target, fleet.devices, fleet.max_workers, fleet.timeout)
    _show(f"rollback on {fleet.target.name}", results, fleet.fmt, ("failed",), target=fleet.target.name)
