"""The per-host recap of an ansible-playbook run, read from its output as it streams."""

import json
import re
from dataclasses import dataclass, field

RECAP = re.compile(
    r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
    r"\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)\s+ignored=(?P<ignored>\d+)"
)
FATAL = re.compile(r"^fatal: \[(?P<host>[^\]]+)\]: (?P<kind>FAILED|UNREACHABLE)! => (?P<body>.*)$")
TASK = re.compile(r"^TASK \[(?P<task>.*)\] \**$")


@dataclass
class HostRecap:
    host: str
    ok: int = 0
    changed: int = 0
    unreachable: int = 0
    failed: int = 0
    skipped: int = 0
    rescued: int = 0
    ignored: int = 0
    error: str = ""

    @property
    def status(self) -> str:
        if self.unreachable:
            return "unreachable"
        if self.failed:
            return "failed"
        return "changed" if self.changed else "ok"


@dataclass
class RecapReader:
    """Feed it ansible-playbook's lines; it keeps the last task, each host's error and the recap."""

    hosts: dict[str, HostRecap] = field(default_factory=dict)
    task: str = ""
    in_recap: bool = False

    def feed(self, line: str) -> None:
        line = line.rstrip("\n")
        if m := TASK.match(line):
            self.task = m["task"]
        elif m := FATAL.match(line):
            rec = self.hosts.setdefault(m["host"], HostRecap(m["host"]))
            rec.error = f"{self.task}: {_message(m['body'])}"
        elif line.startswith("PLAY RECAP"):
            self.in_recap = True
        elif self.in_recap and (m := RECAP.match(line)):
            rec = self.hosts.setdefault(m["host"], HostRecap(m["host"]))
            for key in ("ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored"):
                setattr(rec, key, int(m[key]))


def _message(body: str) -> str:
    """The one line of Ansible's error JSON worth showing (`msg`), cut to a sane length."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return body[:300]
    msg = data.get("msg") if isinstance(data, dict) else None
    text = msg if isinstance(msg, str) else body
    return " ".join(text.split())[:300]
