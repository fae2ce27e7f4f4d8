"""The Pulumi engine through the Automation API: a stack per (stack, target), inline programs.

State goes to the target's backend URL, or Pulumi's file backend under `state_dir()/pulumi`.
PULUMI_HOME lives in the state dir, no update check, no plugin download: the engine and the
`pulumi-python` provider script come from the setup step's bin dir. Secrets (the vCenter
password in stack config, the pickled providers in state) are encrypted with the passphrase
behind the target's `passphrase_ref`.
"""

import fcntl
import hashlib
import hmac
import json
import os
import re
import shlex
import socket
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, TextIO

import pulumi.log
from pulumi import automation as auto
from semver import VersionInfo

from provdc.core.errors import ProvdcError
from provdc.core.processes import alive
from provdc.inventory import load_inventory, load_target, secret, state_dir
from provdc.inventory.model import Inventory
from provdc.inventory.targets import Target
from provdc.stacks import vsphere
from provdc.stacks.program import PROGRAMS
from provdc.stacks.provider_base import CONFIG_KEYS
from provdc.stacks.vsphere import Access

PROJECT = "provdc"
ENV_ENGINE = "PROVDC_PULUMI_ROOT"


def engine_root() -> Path:
    """$PROVDC_PULUMI_ROOT, or where scripts/setup.d/50-pulumi.sh put the engine of this SDK."""
    cache = Path(os.environ.get("PROVDC_CACHE", "/var/cache/provdc"))
    root = Path(os.environ.get(ENV_ENGINE, cache / f"pulumi-{version('pulumi')}"))
    if not (root / "bin" / "pulumi").is_file():
        raise ProvdcError(
            f"Pulumi engine {version('pulumi')} not found in {root}; run: bash scripts/setup.sh pulumi"
        )
    return root


class _SetUpEngine(auto.PulumiCommand):
    """The engine setup built for this SDK, whose version setup checked (50-pulumi.sh): the
    Automation API's own check runs `pulumi version` again, 0.14 s of every stack command."""

    def __init__(self, root: Path) -> None:  # no super().__init__(): it runs `pulumi version`
        self.command = str(root / "bin" / "pulumi")
        self.version = VersionInfo.parse(version("pulumi"))


def engine_command(root: Path) -> auto.PulumiCommand:
    """The engine at root; one given by $PROVDC_PULUMI_ROOT has its version checked."""
    return auto.PulumiCommand(root=str(root)) if ENV_ENGINE in os.environ else _SetUpEngine(root)


def vcenter_access(target: Target) -> Access:
    if target.vcenter is None:
        raise ProvdcError(f"target {target.name} has no vcenter block")
    vc = target.vcenter
    return Access(vc.url, secret(vc.username_ref), secret(vc.password_ref), vc.insecure)


_WRAPPER = """#!/bin/sh
# Written by provdc (stacks/engine.py): the dynamic-provider server with more threads than 4.
if [ "$1" = "-u" ] && [ "$2" = "-m" ] && [ "$3" = "pulumi.dynamic" ]; then
  shift 3
  exec {python} -u -m provdc.stacks.provider_server "$@"
fi
exec {python} "$@"
"""


def provider_python(folder: Path) -> Path:
    """`$PULUMI_PYTHON_CMD` for the provider script: this Python, serving dynamic providers
    through provdc.stacks.provider_server (16 worker threads instead of Pulumi's 4)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "provdc-python"
    text = _WRAPPER.format(python=shlex.quote(sys.executable))
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o755)
        tmp.replace(path)
    return path


@dataclass
class StackRun:
    """One stack of one target, ready for preview/up/refresh/destroy."""

    name: str
    target: Target
    inventory: Inventory
    access: Access
    stack: auto.Stack


def backend_url(target: Target) -> str:
    if target.state.url:
        return target.state.url
    path = state_dir() / "pulumi" / "backend"
    path.mkdir(parents=True, exist_ok=True)
    return path.as_uri()


def _workspace(target: Target, root: Path, passphrase: str) -> auto.LocalWorkspaceOptions:
    """Where the engine keeps its home, work dir and state."""
    home = state_dir() / "pulumi" / "home"
    work = state_dir() / "pulumi" / "work" / target.name
    for d in (home, work):
        d.mkdir(parents=True, exist_ok=True)
    env = {
        "PULUMI_CONFIG_PASSPHRASE": passphrase,
        "PULUMI_SKIP_UPDATE_CHECK": "true",
        "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        "PULUMI_PYTHON_CMD": str(provider_python(state_dir() / "pulumi" / "bin")),
        "PULUMI_HOME": str(home),
        "PATH": f"{root / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    return auto.LocalWorkspaceOptions(
        work_dir=str(work),
        pulumi_home=str(home),
        env_vars=env,
        secrets_provider="passphrase",
        project_settings=auto.ProjectSettings(
            name=PROJECT, runtime="python", backend=auto.ProjectBackend(url=backend_url(target))
        ),
        pulumi_command=engine_command(root),
    )


def open_stack(name: str, target_name: str, inventory: Path | None = None, reach: bool = True) -> StackRun:
    """Select (or create) the stack and write its config from the inventory and the target.

    With `reach`, vCenter must answer a login first, so that a wrong URL or password stops
    here with one line and nothing written. Meanwhile the stack is selected if it exists,
    which writes no state.
    """
    if name not in PROGRAMS:
        raise ProvdcError(f"no stack '{name}' (stacks: {', '.join(sorted(PROGRAMS))})")
    inv = load_inventory(inventory)
    target = load_target(target_name, inventory)
    access = vcenter_access(target)
    passphrase = secret(target.state.passphrase_ref)
    root = engine_root()
    stack_name = f"{name}-{target.name}"
    program = PROGRAMS[name](inv)

    def existing() -> tuple[auto.LocalWorkspaceOptions, auto.Stack | None]:
        opts = _workspace(target, root, passphrase)
        try:
            return opts, auto.select_stack(stack_name, project_name=PROJECT, program=program, opts=opts)
        except auto.StackNotFoundError:
            return opts, None

    config = {
        CONFIG_KEYS["url"]: auto.ConfigValue(access.url),
        CONFIG_KEYS["username"]: auto.ConfigValue(access.username),
        CONFIG_KEYS["password"]: auto.ConfigValue(access.password, secret=True),
        CONFIG_KEYS["insecure"]: auto.ConfigValue("true" if access.insecure else "false"),
        "provdc:target": auto.ConfigValue(target.name),
    }
    try:
        with ThreadPoolExecutor(1) as pool:
            found = pool.submit(existing)
            if reach:
                with vsphere.connect(access):
                    pass
            opts, stack = found.result()
        if stack is None:
            stack = auto.create_stack(stack_name, project_name=PROJECT, program=program, opts=opts)
        write_config(stack, Path(str(opts.work_dir)), config, passphrase)
    except auto.CommandError as exc:
        raise ProvdcError(f"stack {stack_name}: {engine_message(exc)}") from None
    return StackRun(name, target, inv, access, stack)


def write_config(stack: auto.Stack, work: Path, config: dict[str, auto.ConfigValue], key: str) -> None:
    """The stack's config, set only when it or the stack's settings file changed since provdc
    last set it: setting it is one more Pulumi process and an encryption of the password,
    0.28 s of a no-change preview of about 2 s.

    What was set is remembered as an HMAC keyed by the stack's passphrase, so the mark holds
    nothing that tells the password; an edit of the settings file by hand also changes it.
    """
    settings = work / f"Pulumi.{stack.name}.yaml"
    mark = work / f".provdc-config-{stack.name}"

    def digest() -> str:
        values = json.dumps({k: [v.value, v.secret] for k, v in config.items()}, sort_keys=True)
        current = settings.read_bytes() if settings.is_file() else b""
        return hmac.new(key.encode(), values.encode() + current, hashlib.sha256).hexdigest()

    if settings.is_file() and mark.is_file() and hmac.compare_digest(mark.read_text(), digest()):
        return
    stack.set_all_config(config)
    mark.write_text(digest(), encoding="utf-8")


_RESOURCE = re.compile(r"^\s*[\w-]+:[\w/-]+:(\w+) \(([^)]+)\):$")
_FAULT_MSG = re.compile(r"^\s*msg = '(.*)',?$")


def _raised(lines: list[str], start: int) -> str:
    """The exception a provider's traceback (starting at lines[start]) ended in."""
    indent = len(lines[start]) - len(lines[start].lstrip())
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if len(line) - len(line.lstrip()) != indent:
            continue
        name, _, why = line.strip().partition(": ")
        name = name.rsplit(".", 1)[-1]
        if why.endswith("{"):  # a pyVmomi fault printed as a data object: take its msg
            msg = next((m.group(1) for m in map(_FAULT_MSG.match, lines[i + 1 : i + 12]) if m), "")
            why = msg or why.removesuffix("{").strip()
        return why if name == "ProvdcError" else f"{name}: {why}"
    return "a provider failed"


def engine_message(exc: auto.CommandError) -> str:
    """One line out of the engine's diagnostics: the failing resource and its reason.

    A provider's traceback is reduced to its exception message; provdc's own errors
    (ProvdcError) keep just their text.
    """
    lines = str(exc).splitlines()
    resource = ""
    for i, line in enumerate(lines):
        found = _RESOURCE.match(line)
        if found and not line.strip().startswith("pulumi:pulumi:Stack"):
            resource = f"{found.group(1)} {found.group(2)}: "
        bare = line.strip().removeprefix("stderr:").strip()
        if not bare.startswith("error:"):
            continue
        text = bare.removeprefix("error:").strip()
        if text.startswith("Traceback"):
            return f"{resource}{_raised(lines, i)}"
        if text and text != "update failed":
            return f"{resource}{text}"
    skip = ("code:", "stdout:", "stderr:")
    rest = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith(skip)]
    return rest[-1] if rest else "the Pulumi engine failed"


@contextmanager
def locked(stack_name: str) -> Iterator[None]:
    """This machine's lock on the stack: a second up/refresh/destroy refuses at once.

    Taken before the stack is selected: selecting reads the checkpoint a running up is writing.
    """
    path = state_dir() / "pulumi" / "locks" / f"{stack_name}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = path.open("a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise ProvdcError(
            f"stack {stack_name} is locked by {holder}; try again when it has finished"
        ) from None
    try:
        fh.truncate(0)
        fh.write(f"provdc pid {os.getpid()} since {time.strftime('%H:%M:%S')}")
        fh.flush()
        yield
    finally:
        fh.truncate(0)
        fh.close()


def clear_interrupted(run: StackRun) -> None:
    """Undo what an interrupted run of this machine left, once its lock is ours.

    The engine's own lock files of dead provdc processes on this host are removed (file
    backend only); pending operations are dropped after a backup of the state, since every
    create adopts an object of the same name that an interrupted run made.
    """
    backend = backend_url(run.target)
    if backend.startswith("file://"):
        locks = Path(backend.removeprefix("file://")) / ".pulumi" / "locks"
        for lock in locks.glob(f"**/{run.stack.name}/*.json"):
            info = json.loads(lock.read_text() or "{}")
            if info.get("hostname") == socket.gethostname() and not alive(int(info.get("pid", 0))):
                lock.unlink()
    state = run.stack.export_stack()
    if not state.deployment or not state.deployment.get("pending_operations"):
        return
    backups = state_dir() / "pulumi" / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    backup = backups / f"{run.stack.name}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    saved = {"version": state.version, "deployment": state.deployment}
    backup.write_text(json.dumps(saved), encoding="utf-8")
    backup.chmod(0o600)
    kept = {**state.deployment, "pending_operations": []}
    run.stack.import_stack(auto.Deployment(version=state.version, deployment=kept))


OPS = {
    "create": "create",
    "update": "update",
    "delete": "delete",
    "same": "same",
    "read": "same",
    "replace": "replace",
    "create-replacement": "replace",
    "delete-replaced": "replace",
    "refresh": "same",
    "discard": "delete",
    "remove-pending-replace": "replace",
}


@dataclass
class Change:
    op: str
    type: str
    name: str
    diffs: list[str]


def _changed_outputs(meta: auto.StepEventMetadata) -> list[str]:
    """For refresh steps: the outputs vCenter no longer agrees with."""
    old = (meta.old.outputs if meta.old else None) or {}
    new = (meta.new.outputs if meta.new else None) or {}
    return sorted(k for k in set(old) | set(new) if k != "__provider" and old.get(k) != new.get(k))


class Recorder:
    """Collects the engine's step events: one Change per resource, replacement steps merged."""

    def __init__(self) -> None:
        self.changes: dict[str, Change] = {}

    def __call__(self, event: auto.EngineEvent) -> None:
        step = event.resource_pre_event or event.res_outputs_event
        if step is None:
            return
        meta = step.metadata
        if meta.type.startswith(("pulumi:pulumi:Stack", "pulumi:providers:")):
            return
        op = OPS.get(str(getattr(meta.op, "value", meta.op)), str(meta.op))
        known = self.changes.get(meta.urn)
        if known is not None and known.op == "replace":
            return
        diffs = sorted(set(meta.diffs or []) - {"__provider"})
        if op == "update" and not diffs:
            diffs = sorted((meta.detailed_diff or {}).keys()) or _changed_outputs(meta)
        self.changes[meta.urn] = Change(op, meta.type.rsplit(":", 1)[-1], meta.urn.rsplit("::", 1)[-1], diffs)

    def summary(self) -> dict[str, int]:
        counts = {op: 0 for op in ("create", "update", "replace", "delete", "same")}
        for c in self.changes.values():
            counts[c.op] = counts.get(c.op, 0) + 1
        return counts

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {"name": c.name, "type": c.type, "op": c.op, "diffs": c.diffs}
            for c in sorted(self.changes.values(), key=lambda c: (c.type, c.name))
        ]


@contextmanager
def sdk_debug_dropped() -> Iterator[None]:
    """The Pulumi Python SDK's debug messages dropped while the inline program runs.

    The SDK sends each one to the engine as a blocking call, whatever the engine's verbosity
    (three or more per resource, from the program's event loop), and the engine streams them
    back as events: about 0.2 s of a no-change preview of dc-core (docs/stacks.md). provdc
    never asks the engine for debug output, so nothing it shows is lost.
    """
    kept = pulumi.log.debug
    pulumi.log.debug = lambda *args, **kwargs: None
    try:
        yield
    finally:
        pulumi.log.debug = kept


def run_engine(action: Callable[..., Any], log: TextIO | None = None, **kwargs: Any) -> tuple[Any, Recorder]:
    """Call an Automation API action, recording its steps; engine failures become one line."""
    recorder = Recorder()
    on_output = (lambda line: log.write(line + "\n")) if log is not None else None
    try:
        with sdk_debug_dropped():
            result = action(on_event=recorder, on_output=on_output, color="never", **kwargs)
    except auto.CommandError as exc:
        raise ProvdcError(engine_message(exc)) from None
    return result, recorder
