"""`provdc net push`: back up, change, gate, confirm and, when a gate fails, roll back — wave by wave.

Per device: connect → snapshot (getters) → read the running config → load the intended config as
the candidate (`candidate.load_intended`) → compare → (with --commit, if it differs) keep the
running config in the git backups folder → commit with a revert timer (`revert_in`: IOS
`configure replace … revert trigger error timer`, Junos `commit confirmed`, FRR a timer on the
router). After the wave the health gate compares a new snapshot with the first; a wave that passes
is confirmed device by device (after a new login proves the change did not lock provdc out), so a
router cut off by its change reverts by itself.

A device whose commit fails is restored from its backup at once; more failures in a wave than the
budget allows (`--max-failures`) stop the rollout after that wave. A failed gate rolls the whole
wave back at once and stops the rollout. Every restore is checked: compare against the backup is
empty. One push per target at a time (`lock.push_lock`).
"""

import contextlib
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from provdc.inventory import Inventory, Target
from provdc.network.backups import BackupRepo
from provdc.network.budget import allowed_failures, check_confirm_timeout
from provdc.network.candidate import confirm, load_intended, revert_now
from provdc.network.connect import open_driver
from provdc.network.context import site_ports
from provdc.network.errors import classify
from provdc.network.gates import Snapshot, snapshot, wait_for_gate
from provdc.network.intended import Intended
from provdc.network.lock import push_lock
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
    confirm_timeout: int = 300  # seconds after which an unconfirmed commit reverts on the device
    max_failures: str = "0"  # failed devices a wave may have before the rollout stops
    on_phase: Phase | None = None
    mutate: Callable[[Managed, str], str] | None = None  # tests: alter one device's candidate


@dataclass
class _Work:
    device: Managed
    result: DeviceResult
    driver: Any = None
    before: Snapshot | None = None
    backup: str = ""
    pending: bool = False  # committed, not yet confirmed: the device's revert timer runs
    started: float = field(default_factory=time.monotonic)

    def close(self) -> None:
        if self.driver is not None:
            with contextlib.suppress(Exception):  # a session the change cut off: nothing to close
                self.driver.close()
            self.driver = None


class Pusher:
    def __init__(self, inventory: Inventory, target: Target, options: PushOptions) -> None:
        self.inventory = inventory
        self.target = target
        self.options = options
        self.intended = Intended(inventory, target)
        self.backups = BackupRepo(target.name)

    # -- one device ---------------------------------------------------------------------------
    def _phase(self, device: Managed, phase: str) -> None:
        if self.options.on_phase:
            self.options.on_phase(device, phase)

    @contextlib.contextmanager
    def _timed(self, work: "_Work", phase: str) -> Iterator[None]:
        """Adds the time spent in the block to the device's phase profile (`phases` in the report)."""
        start = time.monotonic()
        try:
            yield
        finally:
            work.result.add_phase(phase, time.monotonic() - start)

    def _open(self, device: Managed) -> Any:
        return open_driver(device, self.target, self.options.timeout)

    def _wan_interface(self, device: Managed) -> str:
        return site_ports(device.site, device.platform)[0]

    def _snapshot(self, work: _Work) -> Snapshot:
        return snapshot(work.driver, work.device, self._wan_interface(work.device))

    def _change(self, work: _Work) -> _Work:
        device, res = work.device, work.result
        try:
            self._phase(device, "connect")
            with self._timed(work, "connect"):
                work.driver = self._open(device)
            with self._timed(work, "getters"):
                work.before = self._snapshot(work)
            with self._timed(work, "get_config"):
                work.backup = str(work.driver.get_config(retrieve="running")["running"])
            with self._timed(work, "load"):  # the render of the intended config included
                text = self.intended.text(device)
                if self.options.mutate:
                    text = self.options.mutate(device, text)
                load_intended(work.driver, device.platform, text)
            with self._timed(work, "compare"):
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
                with self._timed(work, "backup"):
                    self.backups.write(device.hostname, device.platform, work.backup)
                self._phase(device, "commit")
                work.pending = True
                with self._timed(work, "commit"):
                    work.driver.commit_config(revert_in=self.options.confirm_timeout)
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

    def _alive(self, work: _Work) -> bool:
        try:
            return work.driver is not None and bool(work.driver.is_alive()["is_alive"])
        except Exception:  # a session the change cut off
            return False

    def _restore(self, work: _Work) -> bool:
        """Put the backup back; True when verified.

        Over the session that made the change while it lives (a change that breaks new logins
        must still be undone), else over a new one. An unconfirmed commit is reverted first (the
        device's own undo), then the result is compared with the backup and, if anything
        differs, the backup is committed as a replace.
        """
        self._phase(work.device, "restore")
        with self._timed(work, "restore"):
            return self._put_back(work)

    def _put_back(self, work: _Work) -> bool:
        try:
            if not self._alive(work):
                work.close()
                work.driver = self._open(work.device)
            if work.pending:
                revert_now(work.driver)
                work.pending = False
            work.driver.load_replace_candidate(config=work.backup)
            if work.driver.compare_config().strip():
                work.driver.commit_config()
            work.driver.load_replace_candidate(config=work.backup)
            left = work.driver.compare_config().strip()
            work.driver.discard_config()
            return not left
        except Exception as exc:
            work.result.detail += f"; restore failed: {classify(exc)[1]}"
            if work.pending:
                work.result.detail += (
                    f"; the commit is not confirmed: the device reverts by itself within "
                    f"{self.options.confirm_timeout} s"
                )
            return False

    # -- waves --------------------------------------------------------------------------------
    def run(self, devices: list[Managed]) -> tuple[list[DeviceResult], int | None]:
        """Results in device order, and the wave at which the rollout stopped (None: it did not)."""
        waves = split_waves(devices, self.options.waves)
        allowed = [allowed_failures(self.options.max_failures, len(w)) for w in waves]
        if self.options.commit:
            platforms = {d.platform for d in devices}
            check_confirm_timeout(self.options.confirm_timeout, self.options.gate_timeout, platforms)
        with push_lock(self.target.name):
            return self._run(devices, waves, allowed)

    def _run(
        self, devices: list[Managed], waves: list[list[Managed]], allowed: list[int]
    ) -> tuple[list[DeviceResult], int | None]:
        results = {d.hostname: DeviceResult(d.hostname, d.site.id, "skipped") for d in devices}
        stopped: int | None = None
        why = ""
        for number, wave in enumerate(waves, start=1):
            works = [_Work(d, results[d.hostname]) for d in wave]
            for w in works:
                w.result.wave = number
            try:
                with ThreadPoolExecutor(max_workers=max(1, self.options.max_workers)) as pool:
                    list(pool.map(self._change, works))
                if self.options.commit:
                    if not self._gate(works):
                        stopped, why = number, f"wave {number} failed its gate"
                        break
                    self._confirm(works)
                    failed = sum(1 for w in works if w.result.result == "failed")
                    if failed > allowed[number - 1]:
                        stopped = number
                        why = (
                            f"{failed} of {len(works)} devices of wave {number} failed "
                            f"(--max-failures {self.options.max_failures} allows {allowed[number - 1]})"
                        )
                        break
            finally:
                for w in works:
                    w.close()
        for r in results.values():
            if r.result == "skipped":
                r.detail = f"rollout stopped after wave {stopped}: {why}"
        return [results[d.hostname] for d in devices], stopped

    def _gate_snapshot(self, work: _Work) -> Snapshot:
        """A snapshot over the open session, or over a new one when that session is gone."""
        unreachable = Snapshot(False, False, False, 0)
        if work.driver is not None:
            found = self._snapshot(work)
            if found.reachable:
                return found
        try:
            work.close()
            work.driver = self._open(work.device)
        except Exception:  # still cut off: that is what the gate reports
            return unreachable
        return self._snapshot(work)

    def _new_login(self, work: _Work) -> str | None:
        """Whether a new session still logs in: a change can drop the users or the management
        ACL while the session that made it stays up."""
        try:
            self._open(work.device).close()
        except Exception as exc:
            reason, detail = classify(exc)
            return f"no new login after the change ({reason}: {detail})"
        return None

    def _gate(self, works: list[_Work]) -> bool:
        changed = [w for w in works if w.result.result == "changed" and w.before is not None]
        if not changed:
            return True

        def check(w: _Work) -> str | None:
            self._phase(w.device, "gate")
            assert w.before is not None
            with self._timed(w, "gate"):  # the new login that proves access is part of the gate
                after, problem = wait_for_gate(
                    lambda: self._gate_snapshot(w), w.before, self.options.gate_timeout
                )
                w.result.gate = {"before": w.before.as_json(), "after": after.as_json()}
                return problem or self._new_login(w)

        with ThreadPoolExecutor(max_workers=max(1, self.options.max_workers)) as pool:
            problems = list(pool.map(check, changed))
        if not any(problems):
            return True

        # Roll the whole wave back at once: the devices that failed their gate, and the others.
        def undo(pair: tuple[_Work, str | None]) -> None:
            w, problem = pair
            restored = self._restore(w)
            if problem:
                w.result.result, w.result.reason = "failed", "gate"
                w.result.detail = f"gate: {problem}; wave rolled back" + w.result.detail
                w.result.restored = restored if restored or not w.pending else None
            else:
                w.result.result = "rolled_back" if restored else "failed"
                w.result.detail = "another device of this wave failed its gate" + w.result.detail
                if not restored:
                    w.result.reason = "gate"
                    w.result.restored = False if not w.pending else None
            w.result.seconds = time.monotonic() - w.started

        with ThreadPoolExecutor(max_workers=max(1, self.options.max_workers)) as pool:
            list(pool.map(undo, zip(changed, problems, strict=True)))
        return False

    def _confirm(self, works: list[_Work]) -> None:
        """Confirm every commit of a wave that passed its gate."""

        def one(w: _Work) -> None:
            if not w.pending or w.result.result != "changed":
                return
            self._phase(w.device, "confirm")
            try:
                with self._timed(w, "confirm"):
                    confirmed = confirm(w.driver)
                if confirmed:
                    w.pending = False
                else:
                    w.result.result, w.result.reason = "failed", "timeout"
                    w.result.detail = (
                        f"no pending commit to confirm: the {self.options.confirm_timeout} s revert "
                        "timer fired before the gate passed, so the device is back at its old config"
                    )
            except Exception as exc:
                w.result.result = "failed"
                w.result.reason, detail = classify(exc)
                w.result.detail = (
                    f"confirm failed: {detail}; the device reverts by itself within "
                    f"{self.options.confirm_timeout} s"
                )
            w.result.seconds = time.monotonic() - w.started

        with ThreadPoolExecutor(max_workers=max(1, self.options.max_workers)) as pool:
            list(pool.map(one, works))


def push_devices(
    inventory: Inventory, target: Target, devices: list[Managed], options: PushOptions
) -> tuple[list[DeviceResult], dict[str, object]]:
    """The rollout, then one commit of the backups it kept; the results and the report's summary."""
    pusher = Pusher(inventory, target, options)
    results, stopped = pusher.run(devices)
    backup_commit = pusher.backups.commit(f"backups before push to {len(devices)} devices of {target.name}")
    summary: dict[str, object] = {
        "target": target.name,
        "committed": options.commit,
        "waves": options.waves,
        "confirm_timeout": options.confirm_timeout,
        "max_failures": options.max_failures,
        "stopped_at_wave": stopped,
        "backup_commit": backup_commit,
    }
    return results, summary
