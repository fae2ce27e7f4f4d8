"""`provdc lab`: the province on one machine: routers, hosts and SNMP agents in network namespaces."""

import os
import time
from enum import StrEnum

import typer

from provdc.lab import access, lifecycle
from provdc.lab.status import LabStatus, lab_status
from provdc.options import FormatOpt, InventoryOpt
from provdc.output import Format, print_json, print_table

app = typer.Typer(
    help="The province on one machine: routers, hosts and SNMP agents in network namespaces.",
    no_args_is_help=True,
)


_START = time.monotonic()


def _progress(message: str) -> None:
    typer.echo(f"lab: [{time.monotonic() - _START:5.1f} s] {message}", err=True)


@app.command()
def up(
    scale: str = typer.Option("small", "--scale", "-s", help="small (CI), district or full."),
    district: str | None = typer.Option(
        None, "--district", help="With --scale district: which district (code)."
    ),
    inventory: InventoryOpt = None,
) -> None:
    """Build the lab from the inventory (idempotent; cleans a crashed earlier run first)."""
    lifecycle.up(scale, district, inventory, progress=_progress)  # type: ignore[arg-type]
    typer.echo(f"lab: target written to {lab_status(detail=False).target} (use --target lab)", err=True)


@app.command()
def down() -> None:
    """Stop every lab process and remove every namespace, veth and mount of the lab."""
    left = lifecycle.down()
    remaining = {k: v for k, v in left.items() if v}
    if remaining:
        summary = "; ".join(f"{k}: {', '.join(v[:3])}" for k, v in remaining.items())
        raise typer.Exit(_fail(f"lab: could not remove everything: {summary}"))
    typer.echo("lab: down, nothing left behind", err=True)


def _fail(message: str) -> int:
    typer.echo(f"provdc: error: {message}", err=True)
    return 1


@app.command()
def status(fmt: FormatOpt = Format.table) -> None:
    """Each node, its processes, links and BGP sessions (`--format json` for scripts)."""
    st = lab_status()
    if fmt == Format.json:
        print_json(st.as_json())
    else:
        _print(st)
    if not st.up:
        raise typer.Exit(1)


def _print(st: LabStatus) -> None:
    if not st.nodes:
        typer.echo("lab: not up (provdc lab up)", err=True)
        return
    rows = []
    for n in st.nodes:
        procs = " ".join(f"{k}{'' if v else '✗'}" for k, v in n.processes.items())
        links = " ".join(f"{k}:{v.lower()}" for k, v in sorted(n.links.items()) if n.kind != "pe")
        if n.kind == "pe":
            up_links = sum(1 for v in n.links.values() if v == "UP")
            links = f"{up_links}/{len(n.links)} up"
        bgp = sum(1 for s in n.bgp.values() if s == "Established")
        rows.append(
            [
                n.name,
                n.kind,
                n.namespace,
                n.mgmt_address,
                n.state,
                procs,
                links,
                f"{bgp}/{len(n.bgp)}" if n.bgp else "-",
            ]
        )
    print_table(
        f"lab ({st.scale})",
        ["node", "kind", "namespace", "address", "state", "processes", "links", "bgp"],
        rows,
    )
    for name, service in st.services.items():
        typer.echo(f"{name}: {service.get('url', '?')} (pid {service.get('pid', '?')})")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def exec(
    node: str = typer.Argument(..., help="Node: name, site id or code, or namespace."),
    command: list[str] = typer.Argument(None, help="Command and arguments, after --."),
) -> None:
    """Run a command inside a node (a login shell when none is given)."""
    argv = access.exec_argv(node, list(command or []))
    os.execvp(argv[0], argv)


class LinkState(StrEnum):
    up = "up"
    down = "down"


@app.command()
def link(
    site: str = typer.Argument(..., help="Site: id (com-10507), code (10507) or router hostname."),
    state: LinkState = typer.Argument(..., help="down: cut the WAN circuit; up: restore it."),
) -> None:
    """Set a site's WAN circuit down or up at the carrier's end."""
    node = access.set_link(site, state == LinkState.up)
    typer.echo(f"lab: {node.name} WAN link {state.value}", err=True)
