"""The type of the shared `provdc_cli` fixture (tests/conftest.py)."""

import subprocess
from collections.abc import Callable

Cli = Callable[..., subprocess.CompletedProcess[str]]
