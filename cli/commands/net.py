"""`provdc net`: render, diff, push, back up and roll back the CE router configs."""

import sys
from pathlib import Path

import typer

from provdc.errors import ProvdcError
from provdc.inventory import load_inventory
from provdc.network.context import PLATFORMS
from provdc.network.render import render_sites, select_sites, write_rendered

app = typer.Typer(
    help="Render, diff, push, back up and roll back the CE router configs.", no_args_is_help=True
)

SiteOpt = typer.Option(None, "--site", "-s", help="Glob over site ids, codes and hostnames.")
InventoryOpt = typer.Option(None, "--inventory", "-i", help="Inventory folder or file.", show_default=False)


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
