"""NAPALM's test double for the FRR driver: each command's output read from
mocked_data/<test>/<case>/<command as a file name>.txt (recorded from lab FRR 8.4.4 routers)."""

from napalm.base.test.double import BaseTestDouble  # type: ignore[import-untyped]

from provdc.network.drivers.frr import FrrDriver
from provdc.network.drivers.shell import Result


class FakeShell(BaseTestDouble):  # type: ignore[misc]
    def run(self, command: str, stdin: str | None = None, timeout: float = 60) -> Result:
        path = self.find_file(f"{self.sanitize_text(command)}.txt")
        return Result(0, self.read_txt_file(path), "")

    def close(self) -> None:
        pass


class PatchedFrrDriver(FrrDriver):
    """The driver with its shell replaced by the double (NAPALM's `patched_attrs` pattern)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.patched_attrs = ["shell"]
        self.shell = FakeShell()

    def open(self) -> None:
        pass
