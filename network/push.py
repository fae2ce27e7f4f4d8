"""`provdc net push`: back up, change, gate and, when a gate fails, roll back — wave by wave.

Per device: connect → snapshot (getters) → read the running config → load the intended config as
a replace candidate → compare → (with --commit, if it differs) keep the running config in the git
backups folder → commit → after the wave, the
health gate compares a new snapshot with the first. A device whose commit fails is restored from
its backup at once and the rollout goes on; a failed gate rolls back the whole wave and stops the
rollout (later devices: skipped). Every restore is checked: compare against the backup is empty.
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from provdc.inventory import Inventory, Target
from provdc.network.backups import BackupRepo
from provdc.network.connect import open_driver
from provdc.network.context import interfaces_for
from provdc.network.errors import classify
from provdc.network.gates import Snapshot, snapshot, wait_for_gate
from provdc.network.intended import Intended
from provdc.network.results import DeviceResult, redact
from provdc.network.scope import Managed
from provdc.network.waves import split_waves

Phase = Callable[[Managed, str], None]  # called as each device enters a phase (progress, tests)


@dataclass
class PushOptions:
    commit: bool = False
    waves: str = "1,10%,100%"
    max_workers: int = 8
    timeout: int = 60  # seconds per command on a device
    gate_timeout: float = 60.0  # seconds a wave's devices get to converge
    on_phase: Phase | None = None
    mutate: Callable[[Managed, str], str] | None = None  # tests: alter one device's candidate


@dataclass
class _Work:
    device: Managed
    result: DeviceResult
    driver: Any = None
    before: Snapshot | None = None
    backup: str = ""
    started: float = field(default_factory=time.monotonic)


class Pusher:
    def __init__(self, inventory: Inventory, target: Target, options: PushOptions) -> None:
        self.inventory = inventory
        self.target = target
        self.options = options
        self.intended = Intended(inventory, target)
        self.backups = BackupRepo(target.name)
        self._wan: dict[str, str] = {}

    # -- one device ---------------------------------------------------------------------------
    def _phase(self, device: Managed, phase: str) -> None:
        if self.options.on_phase:
            self.options.on_phase(device, phase)

    def _wan_interface(self, device: Managed) -> str:
        if device.platform == device.site.router.platform:
            return device.site.wan.interface
        if device.platform not in self._wan:
            self._wan[device.platform] = interfaces_for(self.inventory, device.platform)[0]
        return self._wan[device.platform]

    def _snapshot(self, work: _Work) -> Snapshot:
        return snapshot(work.driver, work.device, self._wan_interface(work.device))

    def _change(self, work: _Work) -> _Work:
        device, res = work.device, work.result
        try:
            self._phase(device, "connect")
            work.driver = open_driver(device, self.target, self.options.timeout)
            work.before = self._snapshot(work)
            work.backup = str(work.driver.get_config(retrieve="running")["running"])
            candidate = self.intended.text(device)
            if self.options.mutate:
                candidate = self.options.mutate(device, candidate)
            work.driver.load_replace_candidate(config=candidate)
            res.diff = redact(work.driver.compare_config(), self.intended.filled)
            if not res.diff.strip():
                res.result = "unchanged"
                work.driver.discard_config()
            elif not self.options.commit:
                res.result = "changed"
                res.detail = "dry run: not committed"
                work.driver.discard_config()
            else:
                self._phase(device, "backup")  # kept only for devices about to change
                self.backups.write(device.hostname, device.platform, work.backup)
                self._phase(device, "commit")
                work.driver.commit_config()
                res.result = "changed"
        except Exception as exc:  # every failure becomes a classified result, never a traceback
            res.result = "failed"
            res.reason, res.detail = classify(exc)
            res.detail = redact(res.detail, self.intended.filled)
            if work.backup and self.options.commit and res.reason != "backup":
                res.restored = self._restore(work)
        res.seconds = time.monotonic() - work.started
        self._phase(device, "done")
        return work

    def _restore(self, work: _Work) -> bool:
        """Put the backup back (a fresh session: the old one may be gone); True when verified."""
        self._phase(work.device, "restore")
        try:
            if work.driver is not None:
                work.driver.close()
            work.driver = open_driver(work.device, self.target, self.options.timeout)
            if hasattr(work.driver, "wait_idle"):
                work.driver.wait_idle()
            work.driver.load_replace_candidate(config=work.backup)
            if work.driver.compare_config().strip():
                work.driver.commit_config()
            work.driver.load_replace_candidate(config=work.backup)
            left = work.driver.compare_config().strip()
            work.driver.discard_config()
            return not left
        except Exception as exc:
            work.result.detail += f"; restore failed: {classify(exc)[1]}"
            return False

    # -- waves --------------------------------------------------------------------------------
    def run(self, devices: list[Managed]) -> tuple[list[DeviceResult], int | None]:
        """Results in device order, and the wave at which the rollout stopped (None: it did not)."""
        results = {d.hostname: DeviceResult(d.hostname, d.site.id, "skipped") for d in devices}
        stopped: int | None = None
        for number, wave in enumerate(split_waves(devices, self.options.waves), start=1):
            works = [_Work(d, results[d.hostname]) for d in wave]
            for w in works:
                w.result.wave = number
            with ThreadPoolExecutor(max_workers=max(1, self.options.max_workers)) as pool:
                list(pool.map(self._change, works))
            if self.options.commit and not self._gate(works, pool_size=self.options.max_workers):
                stopped = number
                for w in works:
                    if w.driver is not None:
                        w.driver.close()
                break
            for w in works:
                if w.driver is not None:
                    w.driver.close()
        for r in results.values():
            if r.result == "skipped":
                r.detail = f"rollout stopped after wave {stopped}"
        return [results[d.hostname] for d in devices], stopped

    def _gate(self, works: list[_Work], pool_size: int) -> bool:
        changed = [w for w in works if w.result.result == "changed" and w.before is not None]
        if not changed:
            return True

        def check(w: _Work) -> str | None:
            self._phase(w.device, "gate")
            assert w.before is not None
            after, problem = wait_for_gate(lambda: self._snapshot(w), w.before, self.options.gate_timeout)
            w.result.gate = {"before": w.before.as_json(), "after": after.as_json()}
            return problem

        with ThreadPoolExecutor(max_workers=max(1, pool_size)) as pool:
            problems = list(pool.map(check, changed))
        if not any(problems):
            return True

        # Roll the whole wave back: the devices that failed their gate, and the others with them.
        def undo(pair: tuple[_Work, str | None]) -> None:
            w, problem = pair
            restored = self._restore(w)
            if problem:
                w.result.result, w.result.reason = "failed", "gate"
                w.result.detail = f"gate: {problem}; wave rolled back"
                w.result.restored = restored
            else:
                w.result.result = "rolled_back" if restored else "failed"
                w.result.detail = "another device of this wave failed its gate"
                if not restored:
                    w.result.reason = "gate"
                    w.result.restored = False
            w.result.seconds = time.monotonic() - w.started

        with ThreadPoolExecutor(max_workers=max(1, pool_size)) as pool:
            list(pool.map(undo, zip(changed, problems, strict=True)))
        return False
