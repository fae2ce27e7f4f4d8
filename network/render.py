"""Rendering router configs from the inventory: Jinja2 with StrictUndefined, one file per device.

Templates live in templates/<platform>/<feature>.j2; templates/<platform>/device.j2 strings the
features of that platform together in the order a device reads them.
"""

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jinja2

from provdc.core.errors import ProvdcError
from provdc.core.files import output_folder, write_file
from provdc.inventory.model import Inventory, Site
from provdc.inventory.platforms import PLATFORMS, Platform
from provdc.inventory.scope import matching_sites
from provdc.network import filters
from provdc.network.context import DeviceContext, device_context


@dataclass(frozen=True)
class Rendered:
    site: Site
    hostname: str
    platform: Platform
    text: str

    @property
    def filename(self) -> str:
        return self.hostname + PLATFORMS[self.platform].suffix


def environment() -> jinja2.Environment:
    """Templates print strings only through the quoting filters of provdc.network.filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("provdc.network", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,
        finalize=filters.finalize,
    )
    env.filters.update(filters.FILTERS)
    return env


class Renderer:
    """Holds the compiled templates; render() is cheap after the first call per platform."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        self.env = environment()

    def context(self, site: Site, platform: str | None = None) -> DeviceContext:
        return device_context(self.inventory, site, platform)

    def feature(self, site: Site, feature: str, platform: str | None = None) -> str:
        ctx = self.context(site, platform)
        return self._render(f"{ctx.platform}/{feature}.j2", ctx, ())

    def device(self, site: Site, platform: str | None = None) -> Rendered:
        ctx = self.context(site, platform)
        text = self._render(f"{ctx.platform}/device.j2", ctx, PLATFORMS[ctx.platform].features)
        text = text if text.endswith("\n") else text + "\n"  # as Ansible's template module writes it
        return Rendered(site, ctx.hostname, ctx.platform, text)

    def _render(self, name: str, ctx: DeviceContext, features: tuple[str, ...]) -> str:
        try:
            text = self.env.get_template(name).render(d=ctx, features=features)
        except jinja2.UndefinedError as exc:
            raise ProvdcError(f"template {name}: {exc.message} (device {ctx.hostname})") from None
        except jinja2.TemplateNotFound as exc:
            raise ProvdcError(f"template {exc.name} not found") from None
        except filters.UnsafeValue as exc:
            raise ProvdcError(f"template {name}: {exc} (device {ctx.hostname!r})") from None
        return unicodedata.normalize("NFC", text)


def select_sites(inventory: Inventory, pattern: str | None) -> list[Site]:
    """Sites the `--site` glob matches (the scope's one rule); all sites without one."""
    return matching_sites(inventory, pattern)


def render_sites(inventory: Inventory, sites: list[Site], platform: str | None = None) -> list[Rendered]:
    renderer = Renderer(inventory)
    return [renderer.device(site, platform) for site in sites]


def write_rendered(configs: list[Rendered], out: Path) -> list[Path]:
    """Write every config into the folder `out`, each atomically: no half-written file is left."""
    output_folder(out)
    return [write_file(out / cfg.filename, cfg.text) for cfg in configs]
