"""A topology picture of the province: DC → carrier PEs → districts → communes (Graphviz)."""

import shutil
import subprocess
from pathlib import Path

from provdc.errors import ProvdcError
from provdc.inventory.model import Inventory

COLORS = {"dc": "#1f77b4", "dr": "#6baed6", "agency": "#2ca02c", "district": "#ff7f0e", "commune": "#fdd0a2"}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(inv: Inventory) -> str:
    """DOT text: communes hang under their district, every site connects to its PE."""
    lines = [
        f"graph {_q('provdc ' + inv.province.name)} {{",
        "  graph [rankdir=LR, overlap=false, fontname=sans];",
        "  node [shape=box, style=filled, fontname=sans, fontsize=9];",
    ]
    for pe in inv.provider_edges.values():
        lines.append(f'  {_q(pe.name)} [shape=ellipse, fillcolor="#dddddd", label={_q(pe.name + " (PE)")}];')
    for site in inv.sites.values():
        label = f"{site.name}\\n{site.router.hostname}\\n{site.lans[0].network if site.lans else ''}"
        lines.append(f"  {_q(site.id)} [fillcolor={_q(COLORS[site.kind])}, label={_q(label)}];")
    for site in inv.sites.values():
        if site.kind == "commune" and site.parent in inv.sites:
            lines.append(f"  {_q(site.parent)} -- {_q(site.id)} [style=dotted];")
        elif site.kind != "commune":
            lines.append(f"  {_q(site.wan.pe)} -- {_q(site.id)} [label={_q(f'{site.wan.bandwidth_mbps}M')}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(inv: Inventory, out: Path) -> Path:
    """Write the picture; the format follows the file's suffix (.svg, .png, .dot)."""
    dot = to_dot(inv)
    fmt = out.suffix.lstrip(".") or "svg"
    if fmt == "dot":
        out.write_text(dot, encoding="utf-8")
        return out
    if fmt not in ("svg", "png", "pdf"):
        raise ProvdcError(f"graph: unknown picture format '.{fmt}' (use .svg, .png, .pdf or .dot)")
    exe = shutil.which("dot")
    if exe is None:
        raise ProvdcError("graph: Graphviz 'dot' is not installed (apt-get install graphviz)")
    tmp = out.with_name(out.name + ".tmp")
    run = subprocess.run(
        [exe, f"-T{fmt}", "-o", str(tmp)], input=dot.encode(), capture_output=True, check=False
    )
    if run.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise ProvdcError(f"graph: dot failed: {run.stderr.decode(errors='replace').strip()[:200]}")
    tmp.replace(out)
    return out
