"""Fast checks of the pieces without vCenter: error lines, HA capacity arithmetic, VM inputs."""

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest
from pulumi.automation import CommandError, ConfigValue
from pulumi.automation._cmd import CommandResult

from provdc.inventory import Inventory
from provdc.stacks.engine import ENV_ENGINE, engine_command, engine_message, engine_root, write_config
from provdc.stacks.preflight import HostFigures, _fits
from provdc.stacks.program import cloud_init_metadata, vm_props

TRACEBACK = """Updating (dc-core-lab):
Diagnostics:
  pulumi-python:dynamic/vsphere:VirtualMachine (vm-rp-01):
    error: Traceback (most recent call last):
      File "/work/main/stacks/vms.py", line 149, in create
        vm = vsphere.wait(folder.CreateVM_Task(config=config, pool=pool))
    provdc.core.errors.ProvdcError: vCenter: Folder.createVm: InvalidArgument
  pulumi:pulumi:Stack (provdc-dc-core-lab):
    error: update failed
"""

FAULT = """Diagnostics:
  pulumi-python:dynamic/vsphere:NasDatastore (ds-ds-fast-01):
    error: Traceback (most recent call last):
      File "/work/main/stacks/datastores.py", line 24, in _mount
        mounted = next(d for d in host.datastore)
    pyVmomi.VmomiSupport.vmodl.fault.ManagedObjectNotFound: (vmodl.fault.ManagedObjectNotFound) {
       dynamicType = <unset>,
       msg = 'The object has already been deleted or has not been completely created',
       obj = 'vim.Datastore:datastore-100'
    }
"""


def failed(stderr: str) -> CommandError:
    return CommandError(CommandResult(stdout="", stderr=stderr, code=255))


def test_provider_error_becomes_resource_and_reason() -> None:
    want = "VirtualMachine vm-rp-01: vCenter: Folder.createVm: InvalidArgument"
    assert engine_message(failed(TRACEBACK)) == want


def test_pyvmomi_fault_keeps_its_msg() -> None:
    assert engine_message(failed(FAULT)) == (
        "NasDatastore ds-ds-fast-01: ManagedObjectNotFound: "
        "The object has already been deleted or has not been completely created"
    )


def test_engine_error_line_is_kept() -> None:
    lock = "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end"
    assert engine_message(failed(lock)).startswith("the stack is currently locked by 1 lock(s)")


def test_ha_capacity_leaves_out_the_largest_hosts() -> None:
    hosts = [HostFigures("a", 32, 512), HostFigures("b", 32, 512), HostFigures("c", 16, 256)]
    # one failure: the 512 GiB 32-core host is lost, 32 + 16 cores × 4 vCPU and 512 + 256 GiB stay
    assert _fits(hosts, 1, 4) == (192, 768)
    assert _fits(hosts, 3, 4) == (0, 0)


def test_vm_disks_sit_on_their_tier_on_the_vms_cluster(inventory: Inventory) -> None:
    stores = {ds.name: ds for ds in inventory.vsphere.datastores}
    for vm in inventory.workloads:
        props = vm_props(inventory, vm)
        for disk, want in zip(props["disks"], vm.disks, strict=True):  # type: ignore[call-overload]
            placed = stores[disk["datastore"]]
            assert placed.tier == want.tier and vm.cluster in placed.clusters
            assert disk["size_gb"] == want.size_gb and disk["thin"] == (want.provisioning == "thin")
        assert props["memory_mb"] == vm.memory_gb * 1024


def test_cloud_init_metadata_carries_name_and_address(inventory: Inventory) -> None:
    vm = inventory.workloads[0]
    meta = json.loads(base64.b64decode(cloud_init_metadata(inventory, vm)))
    assert meta["local-hostname"] == vm.name
    first = next(iter(meta["network"]["ethernets"].values()))
    assert first["addresses"][0].startswith(f"{vm.nics[0].ip}/")


class _Stack:
    """Stands in for auto.Stack: set_all_config writes a settings file as Pulumi does (a fresh
    ciphertext each time) and counts the writes."""

    def __init__(self, work: Path) -> None:
        self.name, self.work, self.writes = "dc-core-test", work, 0

    def set_all_config(self, config: dict[str, ConfigValue]) -> None:
        self.writes += 1
        lines = [
            f"  {k}: {'secure: ' + os.urandom(8).hex() if v.secret else v.value}" for k, v in config.items()
        ]
        (self.work / f"Pulumi.{self.name}.yaml").write_text("config:\n" + "\n".join(lines) + "\n")


def test_stack_config_is_set_again_only_when_it_or_its_file_changed(tmp_path: Path) -> None:
    stack = _Stack(tmp_path)
    config = {"provdc:vcenterUrl": ConfigValue("https://vc/sdk"), "provdc:pw": ConfigValue("s3", secret=True)}
    write_config(stack, tmp_path, config, "passphrase")  # type: ignore[arg-type]
    write_config(stack, tmp_path, config, "passphrase")  # type: ignore[arg-type]
    assert stack.writes == 1
    rotated = {**config, "provdc:pw": ConfigValue("s4", secret=True)}
    write_config(stack, tmp_path, rotated, "passphrase")  # type: ignore[arg-type]
    assert stack.writes == 2
    settings = tmp_path / f"Pulumi.{stack.name}.yaml"
    settings.write_text(settings.read_text().replace("https://vc/sdk", "https://other/sdk"))
    write_config(stack, tmp_path, rotated, "passphrase")  # type: ignore[arg-type]
    assert stack.writes == 3
    write_config(stack, tmp_path, rotated, "another passphrase")  # type: ignore[arg-type]
    assert stack.writes == 4
    settings.unlink()
    write_config(stack, tmp_path, rotated, "another passphrase")  # type: ignore[arg-type]
    assert stack.writes == 5
    marks = [p.read_text() for p in tmp_path.glob(".provdc-config-*")]
    assert marks and not any("s4" in m or "passphrase" in m for m in marks)


def test_the_engine_setup_built_is_the_version_provdc_tells_the_automation_api(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV_ENGINE, raising=False)
    root = engine_root()
    told = engine_command(root)
    probed = subprocess.run(
        [str(root / "bin" / "pulumi"), "version"], capture_output=True, text=True, check=True
    )
    assert told.command == str(root / "bin" / "pulumi")
    assert f"v{told.version}" == probed.stdout.strip()
