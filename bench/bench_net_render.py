"""Render every site's router config: in-process against Jinja2 alone, as a process against Ansible.

- in-process: `render_sites` (device contexts built from the loaded inventory, then the
  templates) against Jinja2 alone rendering the same templates in the same environment from
  contexts built beforehand (the rendering floor; the context building is what provdc adds).
- process: `provdc net render --out DIR` (interpreter start, inventory load and validation,
  render, one file per device) against ansible-playbook over the same ~270 hosts (local
  connection, default forks), each host carrying its device record as a variable, rendering the
  very same templates/<platform>/device.j2 to one file per host. Both outputs are compared byte
  for byte before the times are recorded.
"""

import dataclasses
import json
import sys
import tempfile
import time
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path
from typing import Any

from runner import Row, median_time

from provdc.inventory import load_inventory
from provdc.inventory.platforms import PLATFORMS
from provdc.network.context import DeviceContext
from provdc.network.render import Renderer, render_sites

TEMPLATES = Path(__file__).resolve().parent.parent / "network" / "templates"


def _plain(value: Any) -> Any:
    """A device record as JSON data, with the properties templates read resolved."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in dir(type(value)):
            if isinstance(getattr(type(value), name), property):
                out[name] = _plain(getattr(value, name))
        return out
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, IPv4Network):
        return str(value)
    if isinstance(value, IPv4Address):
        return str(value)
    return value


def _ansible(contexts: list[DeviceContext], work: Path, limit: tuple[str, ...] = ()) -> float:
    import subprocess

    hosts = {
        c.hostname: {
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
            "d": _plain(c),
            "features": list(PLATFORMS[c.platform].features),
        }
        for c in contexts
    }
    (work / "hosts.json").write_text(json.dumps({"all": {"hosts": hosts}}, ensure_ascii=False), "utf-8")
    (work / "templates").symlink_to(TEMPLATES)
    # The templates' quoting filters, as a filter plugin beside the playbook (Ansible loads it).
    (work / "filter_plugins").mkdir()
    (work / "filter_plugins" / "provdc_filters.py").write_text(
        "from provdc.network.filters import FILTERS\n\n\n"
        "class FilterModule:\n    def filters(self):\n        return FILTERS\n",
        "utf-8",
    )
    (work / "render.yml").write_text(
        "- hosts: all\n  gather_facts: false\n  tasks:\n"
        "    - ansible.builtin.template:\n"
        "        src: '{{ d.platform }}/device.j2'\n"
        "        dest: '" + str(work / "out") + "/{{ inventory_hostname }}.txt'\n"
        "        lstrip_blocks: true\n"
        "        trim_blocks: true\n",
        "utf-8",
    )
    (work / "out").mkdir()
    venv_bin = Path(sys.executable).parent
    start = time.perf_counter()
    done = subprocess.run(
        [
            str(venv_bin / "ansible-playbook"),
            "-i",
            str(work / "hosts.json"),
            str(work / "render.yml"),
            *limit,
        ],
        capture_output=True,
        text=True,
        cwd=work,
    )
    if done.returncode:
        raise SystemExit(f"ansible-playbook failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - start


def run() -> list[Row]:
    import subprocess

    inv = load_inventory()
    sites = list(inv.sites.values())
    ours_all = median_time(lambda: render_sites(inv, sites), repeat=7, warmup=1)
    renderer = Renderer(inv)
    contexts = [renderer.context(s) for s in sites]

    def jinja_alone() -> None:
        for c in contexts:
            template = renderer.env.get_template(f"{c.platform}/device.j2")
            template.render(d=c, features=PLATFORMS[c.platform].features)

    jinja = median_time(jinja_alone, repeat=7, warmup=1)
    ours = {r.hostname: r.text for r in render_sites(inv, sites)}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "provdc-out"
        cmd = [sys.executable, "-m", "provdc", "net", "render", "--out", str(out)]
        process = median_time(lambda: subprocess.run(cmd, check=True, capture_output=True), repeat=3)
        written = {p.stem: p.read_text("utf-8") for p in out.iterdir()}
        peer = _ansible(contexts, Path(tmp))
        theirs = {p.stem: p.read_text("utf-8") for p in (Path(tmp) / "out").iterdir()}
    same = sum(1 for h, text in ours.items() if theirs.get(h) == text)
    same_cli = sum(1 for text in written.values() if text in ours.values())
    n = len(sites)
    return [
        Row(
            f"render all {n} sites in-process, own platforms (median of 7)",
            ours_all,
            "Jinja2 alone, same environment and templates, contexts prebuilt (in-process)",
            jinja,
            f"goal < 1 s; provdc includes building {n} device contexts from the inventory",
        ),
        Row(
            f"`provdc net render --out DIR` as a process, {n} sites (median of 3)",
            process,
            "ansible-playbook template module, same templates and hosts (process)",
            peer,
            f"both: interpreter start, inventory read, render, one file per device; identical output "
            f"for {same}/{n} devices (ansible) and {same_cli}/{n} files (CLI)",
        ),
    ]
