"""`provdc hosts`: configure the DC hosts with Ansible roles and verify them with testinfra."""

import sys
from pathlib import Path
from typing import Any

import typer

from provdc.core.errors import ProvdcError
from provdc.hosts.apply import apply as apply_playbook
from provdc.hosts.runvars import parse_override
from provdc.hosts.verify import Overrides
from provdc.hosts.verify import verify as verify_hosts
from provdc.inventory import load_inventory, load_target
from provdc.output import Format, print_json, print_table

app = typer.Typer(
    help="Configure the DC hosts with Ansible roles and verify them with testinfra.", no_args_is_help=True
)

TargetOpt = typer.Option(..., "--target", "-t", help="Where the hosts are: lab, prod… (a target file).")
LimitOpt = typer.Option(
    None, "--limit", "-l", help="Comma-separated globs of hostnames or workload groups (default: all VMs)."
)
PathOpt = typer.Option(None, "--inventory", "-i", help="Inventory folder or file.", show_default=False)
SetOpt = typer.Option(
    None, "--set", help="KEY=VALUE role variable for this run (JSON values allowed); repeatable."
)


def _overrides(items: list[str] | None) -> dict[str, Any]:
    return dict(parse_override(item) for item in items or [])


@app.command()
def apply(
    target: str = TargetOpt,
    limit: str | None = LimitOpt,
    check: bool = typer.Option(False, "--check", help="Dry run: report what would change, change nothing."),
    diff: bool = typer.Option(False, "--diff", help="Show the changes to files."),
    tags: str | None = typer.Option(None, "--tags", help="Only these roles or phases (comma-separated)."),
    sets: list[str] | None = SetOpt,
    fmt: Format = typer.Option(Format.table, "--format", "-f"),
    path: Path | None = PathOpt,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No Ansible progress on stderr."),
) -> None:
    """Apply roles/site.yml to the hosts (progress on stderr, a recap per host); exit 1 if any host failed."""
    inv = load_inventory(path)
    result = apply_playbook(
        inv,
        load_target(target, path),
        limit=limit,
        check=check,
        diff=diff,
        overrides=_overrides(sets),
        tags=[t for t in (tags or "").split(",") if t],
        progress=None if quiet else lambda line: print(line, file=sys.stderr, flush=True),
    )
    if fmt == Format.json:
        print_json({"hosts": [{**h.__dict__, "status": h.status} for h in result.hosts], "ok": result.ok})
    else:
        rows = [
            (h.host, h.status, h.ok, h.changed, h.failed, h.unreachable, h.skipped, h.error)
            for h in result.hosts
        ]
        columns = ["host", "status", "ok", "changed", "failed", "unreachable", "skipped", "error"]
        print_table("hosts apply", columns, rows)
    if not result.ok:
        bad = [h.host for h in result.hosts if h.status in ("failed", "unreachable")]
        raise ProvdcError(f"{len(bad)} of {len(result.hosts)} hosts failed or unreachable: {', '.join(bad)}")


@app.command()
def verify(
    target: str = TargetOpt,
    limit: str | None = LimitOpt,
    fmt: Format = typer.Option(Format.table, "--format", "-f"),
    sets: list[str] | None = SetOpt,
    path: Path | None = PathOpt,
) -> None:
    """Check every role's promises on the hosts over SSH; exit 1 when any check fails."""
    given = _overrides(sets)
    port = given.get("log_forwarding_port")
    report = verify_hosts(
        load_inventory(path),
        load_target(target, path),
        limit=limit,
        overrides=Overrides(given.get("log_forwarding_target"), int(port) if port else None),
    )
    if fmt == Format.json:
        print_json(report)
    else:
        rows = [
            (h["name"], h["address"], c["role"], c["name"], c["status"], c["detail"])
            for h in report["hosts"]
            for c in h["checks"]
        ]
        print_table("hosts verify", ["host", "address", "role", "check", "result", "detail"], rows)
        s = report["summary"]
        print(f"{s['passed']} passed, {s['failed']} failed, {s['skipped']} skipped", file=sys.stderr)
    if report["summary"]["failed"]:
        raise typer.Exit(1)
