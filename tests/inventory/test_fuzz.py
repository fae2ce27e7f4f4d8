"""Fuzzing the loader and `provdc inventory validate`: no input gives a traceback; exit is 0 or 1."""

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from provdc.app import _register, app
from provdc.inventory import default_inventory_path
from provdc.inventory.loader import check_inventory
from provdc.inventory.source import read_document

_register()  # the sub-commands, as main() adds them
FILES = sorted(p.name for p in Path(default_inventory_path()).glob("*.yml"))

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["1:20", "0x28", "yes", "2024-02-30", ".nan", "~", "<<"]),
)
_yaml_data = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_random_bytes_are_a_document_or_one_problem(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.yml"
    path.write_bytes(data)
    read = read_document(path, "x.yml")  # raises nothing
    assert str(read)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(FILES), _yaml_data, st.integers(min_value=0, max_value=2000), st.binary(max_size=40))
def test_mutated_inventory_never_crashes(
    tmp_path_factory: pytest.TempPathFactory, name: str, data: object, offset: int, splice: bytes
) -> None:
    root = tmp_path_factory.mktemp("inv") / "inventory"
    shutil.copytree(default_inventory_path(), root)
    path = root / name
    raw = path.read_bytes()
    if offset % 2:  # splice random bytes into a real file
        raw = raw[:offset] + splice + raw[offset + len(splice) :]
    else:  # replace one section's value with random YAML
        section = next(line.split(":")[0] for line in raw.decode().splitlines() if line[:1].isalpha())
        raw = yaml.safe_dump({section: data}, allow_unicode=True).encode()
    path.write_bytes(raw)
    result = check_inventory(root)
    assert result.ok == (not result.problems)
    run = CliRunner().invoke(app, ["inventory", "validate", str(root)])
    assert run.exit_code in (0, 1), run.output
    assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)
