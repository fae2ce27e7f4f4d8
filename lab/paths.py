"""Where the lab keeps its state: everything under `state_dir()/lab`."""

from dataclasses import dataclass
from pathlib import Path

from provdc.inventory.targets import state_dir

# Fixed paths the FRR tools insist on: symlinked to the lab dir per namespace.
FRR_ETC = Path("/etc/frr")
FRR_RUN = Path("/var/run/frr")


@dataclass(frozen=True)
class LabPaths:
    root: Path

    @classmethod
    def current(cls) -> "LabPaths":
        return cls(state_dir() / "lab")

    @property
    def state_file(self) -> Path:
        """What `up` built (scale, nodes); present while a lab is up."""
        return self.root / "lab.json"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    @property
    def known_hosts(self) -> Path:
        return self.root / "known_hosts"

    @property
    def authorized_keys(self) -> Path:
        return self.root / "ssh" / "authorized_keys"

    @property
    def bin(self) -> Path:
        """Put first in PATH of every SSH session on a router: holds the `vtysh` wrapper."""
        return self.root / "bin"

    @property
    def vcsim(self) -> Path:
        """vcsim's working dir: its status file, logs and the NFS datastores' stand-in directories."""
        return self.root / "vcsim"

    @property
    def target(self) -> Path:
        return state_dir() / "targets" / "lab.yml"

    def host_key(self, short: str) -> Path:
        return self.root / "keys" / short / "ssh_host_ed25519_key"

    def node(self, short: str) -> Path:
        return self.root / "nodes" / short

    def frr(self, short: str) -> Path:
        return self.node(short) / "frr"

    def frr_run(self, short: str) -> Path:
        return self.node(short) / "run"
