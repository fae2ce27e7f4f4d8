"""`provdc net`: render, diff, push, back up and roll back the CE router configs."""

import sys
from pathlib import Path

import typer

from provdc.core.errors import ProvdcError
from provdc.inventory import load_inventory, load_target
from provdc.inventory.platforms import PLATFORMS
from provdc.inventory.scope import build_scope
from provdc.network import fleet
from provdc.network.progress import device_progress
from provdc.network.push import Pusher, PushOptions
from provdc.network.render import render_sites, select_sites, write_rendered
from provdc.network.results import DeviceResult, report, write_report
from provdc.network.scope import managed_devices
from provdc.options import finite, site_glob
from provdc.output import Format, print_json, print_table

app = typer.Typer(
    help="Render, diff, push, back up and roll back the CE router configs.", no_args_is_help=True
)

SiteOpt = typer.Option(
    None, "--site", "-s", callback=site_glob, help="Glob over site ids, codes and hostnames."
)
InventoryOpt = typer.Option(None, "--inventory", "-i", help="Inventory folder or file.", show_default=False)
TargetOpt = typer.Option(..., "--target", "-t", help="Where to connect: lab, prod, … (targets/NAME.yml).")
WorkersOpt = typer.Option(8, "--max-workers", "-w", min=1, max=64, help="Devices worked on at once.")
TimeoutOpt = typer.Option(60, "--timeout", min=1, help="Seconds per command on a device.")
FormatOpt = typer.Option(Format.table, "--format", "-f")


def _show(title: str, results: list[DeviceResult], fmt: Format, **summary: object) -> None:
    if fmt == Format.json:
        print_json(report(results, **summary))
    else:
        rows = [
            (r.name, r.site, r.result, r.reason or "", f"{r.seconds:.1f}s", r.detail[:100]) for r in results
        ]
        print_table(title, ["device", "site", "result", "reason", "time", "detail"], rows)


def _exit(results: list[DeviceResult], bad: tuple[str, ...]) -> None:
    if any(r.result in bad for r in results):
        raise typer.Exit(1)


@app.command()
def render(
    site: str | None = SiteOpt,
    platform: str | None = typer.Option(
        None, "--platform", "-p", help=f"As this platform ({', '.join(PLATFORMS)}), not each site's own."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write one file per device into DIR."),
    inventory: Path | None = InventoryOpt,
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
def diff(
    target: str = TargetOpt,
    site: str | None = SiteOpt,
    max_workers: int = WorkersOpt,
    timeout: int = TimeoutOpt,
    inventory: Path | None = InventoryOpt,
) -> None:
    """Intended vs running for each router: `-` lines to remove, `+` lines to add."""
    inv, tgt = load_inventory(inventory), load_target(target, inventory)
    results = fleet.compliance(inv, tgt, managed_devices(build_scope(inv, tgt, site)), max_workers, timeout)
    for r in results:
        if r.result == "unreachable":
            sys.stdout.write(f"=== {r.name}: unreachable ({r.reason}: {r.detail})\n")
        elif r.diff:
            sys.stdout.write(f"--- {r.name} running\n+++ {r.name} intended\n{r.diff}\n")
    _exit(results, ("unreachable",))


@app.command()
def push(
    target: str = TargetOpt,
    site: str | None = SiteOpt,
    commit: bool = typer.Option(False, "--commit", help="Apply the change (without it: a dry run)."),
    waves: str = typer.Option("1,10%,100%", "--waves", help="Where each wave ends: counts or shares."),
    max_workers: int = WorkersOpt,
    timeout: int = TimeoutOpt,
    gate_timeout: float = typer.Option(
        60.0, "--gate-timeout", callback=finite, help="Seconds a wave gets to pass its gate."
    ),
    confirm_timeout: int = typer.Option(
        300, "--confirm-timeout", min=1, help="Seconds after which an unconfirmed commit reverts itself."
    ),
    max_failures: str = typer.Option(
        "0", "--max-failures", help="Failed devices a wave may have (N or P% of it) before the rollout stops."
    ),
    report_file: Path | None = typer.Option(None, "--report", help="Write the JSON report to FILE."),
    fmt: Format = FormatOpt,
    inventory: Path | None = InventoryOpt,
) -> None:
    """Back up, push, gate each wave; roll a wave back when its gate fails. Exit 1 on any failure."""
    inv, tgt = load_inventory(inventory), load_target(target, inventory)
    devices = managed_devices(build_scope(inv, tgt, site))
    options = PushOptions(commit, waves, max_workers, timeout, gate_timeout, confirm_timeout, max_failures)
    with device_progress(len(devices), "push" if commit else "push (dry run)") as on_phase:
        options.on_phase = on_phase
        pusher = Pusher(inv, tgt, options)
        results, stopped = pusher.run(devices)
    summary = {
        "target": tgt.name,
        "committed": commit,
        "waves": waves,
        "confirm_timeout": confirm_timeout,
        "max_failures": max_failures,
        "stopped_at_wave": stopped,
    }
    commit_id = pusher.backups.commit(f"backups before push to {len(devices)} devices of {tgt.name}")
    summary["backup_commit"] = commit_id
    if report_file:
        write_report(report(results, **summary), report_file)
    _show(f"push to {tgt.name}", results, fmt, **summary)
    _exit(results, ("failed", "rolled_back", "skipped"))


@app.command()
def backup(
    target: str = TargetOpt,
    site: str | None = SiteOpt,
    max_workers: int = WorkersOpt,
    timeout: int = TimeoutOpt,
    fmt: Format = FormatOpt,
    inventory: Path | None = InventoryOpt,
) -> None:
    """Running configs into state/backups/TARGET (git, one commit per run), each checked complete."""
    inv, tgt = load_inventory(inventory), load_target(target, inventory)
    results, commit_id = fleet.backup(tgt, managed_devices(build_scope(inv, tgt, site)), max_workers, timeout)
    _show(f"backup of {tgt.name}", results, fmt, target=tgt.name, commit=commit_id)
    _exit(results, ("failed",))


@app.command()
def compliance(
    target: str = TargetOpt,
    site: str | None = SiteOpt,
    max_workers: int = WorkersOpt,
    timeout: int = TimeoutOpt,
    fmt: Format = FormatOpt,
    inventory: Path | None = InventoryOpt,
) -> None:
    """Intended vs running per router: compliant, drifted or unreachable. Exit 1 unless all comply."""
    inv, tgt = load_inventory(inventory), load_target(target, inventory)
    results = fleet.compliance(inv, tgt, managed_devices(build_scope(inv, tgt, site)), max_workers, timeout)
    _show(f"compliance of {tgt.name}", results, fmt, target=tgt.name)
    _exit(results, ("drifted", "unreachable"))


@app.command()
def rollback(
    target: str = TargetOpt,
    site: str = typer.Option(
        ..., "--site", "-s", callback=site_glob, help="Glob over site ids, codes and hostnames."
    ),
    max_workers: int = WorkersOpt,
    timeout: int = TimeoutOpt,
    fmt: Format = FormatOpt,
    inventory: Path | None = InventoryOpt,
) -> None:
    """Put each matching router back to its last backup, then check it matches. Exit 1 on failure."""
    inv, tgt = load_inventory(inventory), load_target(target, inventory)
    results = fleet.rollback(tgt, managed_devices(build_scope(inv, tgt, site)), max_workers, timeout)
    _show(f"rollback on {tgt.name}", results, fmt, target=tgt.name)
    _exit(results, ("failed",))
