"""`provdc hosts`: configure the DC hosts with Ansible roles and verify them with testinfra."""

import sys
from typing import Annotated

import typer

from provdc.core.errors import ProvdcError
from provdc.hosts.apply import apply as apply_playbook
from provdc.hosts.runvars import parse_overrides
from provdc.hosts.verify import verify as verify_hosts
from provdc.inventory import load_inventory, load_target
from provdc.options import FormatOpt, InventoryOpt, LimitOpt, TargetOpt
from provdc.output import Format, print_json, print_table

app = typer.Typer(
    help="Configure the DC hosts with Ansible roles and verify them with testinfra.", no_args_is_help=True
)

SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="KEY=VALUE role variable for this run (JSON values allowed); repeatable."),
]


@app.command()
def apply(
    target: TargetOpt,
    limit: LimitOpt = None,
    check: Annotated[
        bool, typer.Option("--check", help="Dry run: report what would change, change nothing.")
    ] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Show the changes to files.")] = False,
    tags: Annotated[
        str | None, typer.Option("--tags", help="Only these roles or phases (comma-separated).")
    ] = None,
    sets: SetOpt = None,
    fmt: FormatOpt = Format.table,
    inventory: InventoryOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No Ansible progress on stderr.")] = False,
) -> None:
    """Apply roles/site.yml to the hosts (progress on stderr, a recap per host); exit 1 if any host failed."""
    result = apply_playbook(
        load_inventory(inventory),
        load_target(target, inventory),
        limit=limit,
        check=check,
        diff=diff,
        overrides=parse_overrides(sets),
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
    target: TargetOpt,
    limit: LimitOpt = None,
    fmt: FormatOpt = Format.table,
    sets: SetOpt = None,
    inventory: InventoryOpt = None,
) -> None:
    """Check every role's promises on the hosts over SSH; exit 1 when any check fails."""
    report = verify_hosts(
        load_inventory(inventory),
        load_target(target, inventory),
        limit=limit,
        overrides=parse_overrides(sets),
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
