"""A shell that answers vtysh commands with output recorded from FRR 8.4.4 (see recorded/)."""

from pathlib import Path

from provdc.network.drivers.shell import Result

RECORDED = Path(__file__).parent / "recorded" / "frr-8.4.4"
ANSWERS = {
    "show bgp vrf all summary json": "bgp_summary.json",
    "show bgp vrf all neighbors json": "bgp_neighbors.json",
    "show interface json": "interfaces.json",
    "show version": "version.txt",
    "show running-config": "running.txt",
}


class ReplayShell:
    def __init__(self) -> None:
        self.commands: list[str] = []
        self.answers: dict[str, str] = {}  # a test's own text for a command, before the recordings

    def run(self, command: str, stdin: str | None = None, timeout: float = 60) -> Result:
        self.commands.append(command)
        for key, text in self.answers.items():
            if f"-c '{key}'" in command:
                return Result(0, text, "")
        for key, name in ANSWERS.items():
            if f"-c '{key}'" in command:
                return Result(0, (RECORDED / name).read_text(encoding="utf-8"), "")
        if command.startswith("cat /proc/uptime"):
            return Result(0, "1234.5 2000.1\n", "")
        return Result(0, "", "")

    def close(self) -> None:
        pass
