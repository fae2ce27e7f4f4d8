"""A topology picture of the province: carrier PEs → DC, agencies, districts → communes (Graphviz)."""

import itertools
import shutil
import subprocess
from pathlib import Path

from provdc.core.errors import ProvdcError
from provdc.core.files import writable_target, write_file
from provdc.inventory.model import Inventory, Site

COLORS = {"dc": "#1f77b4", "dr": "#6baed6", "agency": "#2ca02c", "district": "#ff7f0e", "commune": "#fdd0a2"}


def _escaped(text: str) -> str:
    """Text inside a DOT string: backslash and quote escaped, a line break a DOT `\\n`."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return "\\n".join(text.splitlines()) if text else text


def _q(text: str) -> str:
    return '"' + _escaped(text) + '"'


def _label(*lines: str) -> str:
    """A DOT label of several lines: each escaped on its own, joined by DOT's own line break."""
    return '"' + "\\n".join(_escaped(line) for line in lines) + '"'


def _node(site: Site) -> str:
    net = str(site.lans[0].network) if site.lans else ""
    label = _label(site.name, site.router.hostname, net)
    return f"{_q(site.id)} [fillcolor={_q(COLORS[site.kind])}, label={label}];"


def to_dot(inv: Inventory) -> str:
    """DOT text: DC and DR hang from their PE; agencies and each district (with its communes) are columns."""
    lines = [
        f"digraph {_q('provdc ' + inv.province.name)} {{",
        "  graph [rankdir=TB, nodesep=0.15, ranksep=0.5, fontname=sans, newrank=true];",
        "  node [shape=box, style=filled, fontname=sans, fontsize=9];",
        "  edge [arrowhead=none];",
    ]
    for pe in inv.provider_edges.values():
        lines.append(f'  {_q(pe.name)} [shape=ellipse, fillcolor="#dddddd", label={_q(pe.name + " (PE)")}];')
    for site in inv.sites_of("dc") + inv.sites_of("dr"):
        lines.append("  " + _node(site))
        lines.append(f"  {_q(site.wan.pe)} -> {_q(site.id)} [label={_q(f'{site.wan.bandwidth_mbps}M')}];")
    columns = [("agencies", "Sở, ban, ngành", inv.sites_of("agency"))]
    columns += [
        (d.id, d.name, [d] + [c for c in inv.sites_of("commune") if c.parent == d.id])
        for d in inv.sites_of("district")
    ]
    for key, label, members in columns:
        if not members:
            continue
        lines.append(f"  subgraph {_q('cluster_' + key)} {{")
        lines.append(f"    label={_q(label)}; style=rounded;")
        lines += ["    " + _node(m) for m in members]
        lines += [f"    {_q(a.id)} -> {_q(b.id)} [style=invis];" for a, b in itertools.pairwise(members)]
        lines.append("  }")
        lines.append(f"  {_q(members[0].wan.pe)} -> {_q(members[0].id)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(inv: Inventory, out: Path) -> Path:
    """Write the picture; the format follows the file's suffix (.svg, .png, .dot)."""
    dot = to_dot(inv)
    fmt = out.suffix.lstrip(".") or "svg"
    if fmt == "dot":
        return write_file(out, dot)
    if fmt not in ("svg", "png", "pdf"):
        raise ProvdcError(f"graph: unknown picture format '.{fmt}' (use .svg, .png, .pdf or .dot)")
    writable_target(out)  # refuse a bad place before Graphviz spends time on the picture
    exe = shutil.which("dot")
    if exe is None:
        raise ProvdcError("graph: Graphviz 'dot' is not installed (apt-get install graphviz)")
    run = subprocess.run([exe, f"-T{fmt}"], input=dot.encode(), capture_output=True, check=False)
    if run.returncode != 0:
        raise ProvdcError(f"graph: dot failed: {run.stderr.decode(errors='replace').strip()[:200]}")
    return write_file(out, run.stdout)
