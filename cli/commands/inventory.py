"""`provdc inventory`: validate, show, export and grow the inventory."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from provdc.core.files import write_file
from provdc.core.text import printable
from provdc.inventory import check_inventory, default_inventory_path, load_inventory
from provdc.inventory.add_site import add_site
from provdc.inventory.export_ansible import ansible_inventory
from provdc.inventory.graph import render
from provdc.inventory.records import find_site, site_record
from provdc.inventory.report import as_json_text, as_junit, as_text
from provdc.options import FormatOpt, InventoryOpt
from provdc.output import Format, print_json, print_table

app = typer.Typer(help="Validate, show, export and grow the inventory.", no_args_is_help=True)

PathArg = typer.Argument(
    None,
    help="Inventory folder or file (default: $PROVDC_INVENTORY or the embedded Hải Dương inventory).",
    show_default=False,
)


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"


@app.command()
def validate(
    path: Path | None = PathArg,
    fmt: ValidateFormat = typer.Option(ValidateFormat.text, "--format", "-f"),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report to a file."),
    inventory: InventoryOpt = None,
) -> None:
    """Check the inventory (PATH or --inventory); exit 0 when valid, 1 when not (problems as file:line)."""
    if path is not None and inventory is not None and path != inventory:
        raise typer.BadParameter("give the inventory as PATH or --inventory, not both")
    result = check_inventory(path or inventory)
    report = {
        ValidateFormat.text: as_text,
        ValidateFormat.junit: as_junit,
        ValidateFormat.json: as_json_text,
    }[fmt](result)
    if output:
        write_file(output, report + "\n")
    else:
        stream = sys.stdout if result.ok or fmt != ValidateFormat.text else sys.stderr
        stream.write(report + "\n")
    raise typer.Exit(0 if result.ok else 1)


@app.command()
def show(
    site: str = typer.Argument(..., help="Site id (com-10507), official code or router hostname."),
    path: InventoryOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """One site with its router, WAN link and LANs."""
    found = find_site(load_inventory(path).sites, site)
    rec = site_record(found)
    if fmt == Format.json:
        print_json(rec)
        return
    r, w = rec["router"], rec["wan"]
    rows = [
        ("site", f"{found.name} ({found.id}, {found.type})"),
        ("router", r["hostname"]),
        ("platform", f"{r['platform']} {r['model']}"),
        ("loopback / mgmt", r["loopback"]),
        ("ASN", r["asn"]),
        ("circuit", f"{w['circuit_id']} ({w['carrier']}, {w['bandwidth_mbps']} Mbps)"),
        ("WAN", f"{w['interface']} {w['ce_address']}/30 → {w['pe']} {w['pe_address']} ({w['routing']})"),
    ]
    rows += [(f"LAN {x['role']}", f"VLAN {x['vlan']} {x['network']} gw {x['gateway']}") for x in rec["lans"]]
    print_table(f"{found.name}", ["field", "value"], rows)


class ExportKind(StrEnum):
    ansible = "ansible"


@app.command()
def export(
    kind: ExportKind = typer.Argument(ExportKind.ansible),
    path: InventoryOpt = None,
    list_: bool = typer.Option(True, "--list", help="All hosts (what Ansible asks a script for)."),
    host: str | None = typer.Option(None, "--host", help="The variables of one host."),
) -> None:
    """The inventory for another tool: `ansible` prints what `ansible-inventory --list` prints."""
    data = ansible_inventory(load_inventory(path))
    print_json(data["_meta"]["hostvars"].get(host, {}) if host else data)


@app.command()
def graph(
    out: Path = typer.Option(Path("topology.svg"), "--out", "-o", help=".svg, .png, .pdf or .dot"),
    path: InventoryOpt = None,
) -> None:
    """A topology picture: DC and agencies on the carrier's PEs, communes under their districts."""
    typer.echo(str(render(load_inventory(path), out)))


@app.command("add-site")
def add_site_cmd(
    kind: str = typer.Option("commune", "--kind", help="commune, district or agency"),
    code: str = typer.Option(..., "--code", help="Official statistical code (agency: short code)."),
    name: str = typer.Option(..., "--name", help="Name as written officially (Vietnamese, UTF-8)."),
    circuit_id: str = typer.Option(..., "--circuit-id", help="The carrier's circuit id."),
    unit_type: str | None = typer.Option(None, "--type", help="xa, phuong, thi-tran; huyen, thi-xa…"),
    district: str | None = typer.Option(None, "--district", help="District code (communes)."),
    number: int | None = typer.Option(None, "--number", help="Agency number (agencies)."),
    group: str | None = typer.Option(None, "--group", help="department or connected (agencies)."),
    bandwidth_mbps: int | None = typer.Option(None, "--bandwidth-mbps"),
    camera: bool = typer.Option(False, "--camera", help="The site has a camera VLAN (communes)."),
    path: InventoryOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a site; it gets the addresses of its own slot and no other site moves."""
    fields: dict[str, Any] = {
        "code": code,
        "name": name,
        "type": unit_type,
        "district": district,
        "number": number,
        "group": group,
        "circuit_id": circuit_id,
        "bandwidth_mbps": bandwidth_mbps,
        "camera": camera or None,
    }
    site, written, backup = add_site(path or default_inventory_path(), kind, fields)
    if fmt == Format.json:
        print_json({"site": site_record(site), "file": str(written), "backup": str(backup)})
        return
    typer.echo(printable(f"added {site.id} ({site.name}) to {written}; backup in {backup}"))
    typer.echo(
        f"router {site.router.hostname} loopback {site.router.loopback} ASN {site.router.asn}, "
        f"WAN {site.wan.network}, LANs " + ", ".join(f"{x.role} {x.network}" for x in site.lans)
    )


reorganize_app = typer.Typer(
    help="Follow an administrative reorganisation (2025: two-tier local government).", no_args_is_help=True
)
app.add_typer(reorganize_app, name="reorganize")


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


@reorganize_app.command("plan")
def reorganize_plan(
    out: Path = typer.Option(..., "--out", "-o", help="The plan file to write (YAML, edit it before apply)."),
    to: int = typer.Option(2025, "--to", help="The reorganisation: 2025 (the only one with datasets)."),
    path: InventoryOpt = None,
) -> None:
    """Plan each new commune, its seat and service points, what cannot be matched and what to decide."""
    from provdc.inventory.reorganize import make_plan, plan_yaml

    plan = make_plan(load_inventory(path), to)
    write_file(out, plan_yaml(plan))
    c = plan.counts()
    typer.echo(
        printable(
            f"plan for {plan.old_name} into {plan.data.new_province_full_name}: {len(plan.units)} units, "
            + ", ".join(f"{v} {k}" for k, v in c.items())
            + f" commune sites; {len(plan.decisions())} decisions to confirm; written to {out}"
        )
    )
    for p in plan.unmatched():
        typer.echo(printable(f"unmatched: {p.code} {p.name} (district {p.district}, site {p.site})"))


@reorganize_app.command("apply")
def reorganize_apply(
    plan_file: Path = typer.Argument(..., help="The plan `reorganize plan` wrote (edited, confirmed)."),
    out: Path = typer.Option(..., "--out", "-o", help="The folder of the new inventory."),
    path: InventoryOpt = None,
    force: bool = typer.Option(False, "--force", help="Replace a non-empty --out (kept as a backup)."),
    accept_defaults: bool = typer.Option(
        False, "--accept-defaults", help="Take the plan's choices for decisions not confirmed."
    ),
    fmt: ReportFormat = typer.Option(ReportFormat.text, "--format", "-f", help="The change report's form."),
) -> None:
    """Write the new inventory; addresses, prefixes, VLANs and ASNs stay; names and hostnames follow."""
    from provdc.inventory.reorganize_apply import apply_plan

    done = apply_plan(plan_file, path or default_inventory_path(), out, force, accept_defaults)
    report = done.report
    if fmt == ReportFormat.json:
        typer.echo(report.as_json())
        return
    backup = f"; the folder that was there is in {done.backup}" if done.backup else ""
    typer.echo(printable(f"new inventory in {out} ({len(done.new.sites)} sites){backup}"))
    for line in report.summary():
        typer.echo(printable(line))
    typer.echo(printable(f"rename map and full report: {out}/reorganize-renames.json, reorganize-changes.*"))


@app.command("merge")
def merge_cmd(
    first: Path = typer.Argument(..., help="The first province's inventory folder (kept as it is)."),
    second: Path = typer.Argument(..., help="The second province's inventory (its WAN sites and plan join)."),
    out: Path = typer.Option(..., "--out", "-o", help="The folder of the merged inventory."),
    force: bool = typer.Option(False, "--force", help="Replace a non-empty --out (kept as a backup)."),
) -> None:
    """Combine two provinces' inventories; overlapping address plans are refused, each overlap named."""
    from provdc.inventory.merge import merge_inventories

    typer.echo(printable(f"merged inventory in {out}: {merge_inventories(first, second, out, force)}"))
