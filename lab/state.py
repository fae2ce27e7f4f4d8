"""The record of a running lab (`lab.json`): which nodes `up` built, so status and down need no inventory."""

import json
from dataclasses import asdict, dataclass
from ipaddress import IPv4Address
from typing import Any

from provdc.lab.paths import LabPaths
from provdc.lab.topology import Node, Topology


@dataclass(frozen=True)
class LabRecord:
    scale: str
    mgmt_source: IPv4Address
    nodes: tuple[Node, ...]
    started: float
    up_seconds: float = 0.0

    @classmethod
    def of(cls, topo: Topology, started: float) -> "LabRecord":
        return cls(topo.scale, topo.mgmt_source, topo.nodes, started)

    def node(self, name: str) -> Node | None:
        for n in self.nodes:
            if name in (n.name, n.short, n.namespace) or (n.kind == "router" and name == n.site):
                return n
        return None


def write_record(paths: LabPaths, record: LabRecord) -> None:
    data: dict[str, Any] = asdict(record)
    data["mgmt_source"] = str(record.mgmt_source)
    for n in data["nodes"]:
        n["mgmt_address"] = str(n["mgmt_address"])
    tmp = paths.state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(paths.state_file)


def read_record(paths: LabPaths) -> LabRecord | None:
    try:
        data = json.loads(paths.state_file.read_text(encoding="utf-8"))
        nodes = tuple(Node(**{**n, "mgmt_address": IPv4Address(n["mgmt_address"])}) for n in data["nodes"])
        return LabRecord(
            data["scale"],
            IPv4Address(data["mgmt_source"]),
            nodes,
            data["started"],
            data.get("up_seconds", 0.0),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
