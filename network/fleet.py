"""What `net diff`, `compliance`, `backup` and `rollback` do to each router, with bounded workers.

diff/compliance: intended vs running, per device (the driver's compare: frr-reload.py's delta on
FRR). backup: every running config into the git folder, checked complete, one commit per run.
rollback: the router's last backup from that folder, pushed back as a replace, then verified; it
holds the target's push lock, so it never runs beside a push.
"""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from provdc.inventory import Inventory, Target
from provdc.network.backups import BackupRepo
from provdc.network.candidate import load_intended
from provdc.network.connect import open_driver
from provdc.network.errors import DeviceError, classify
from provdc.network.intended import Intended
from provdc.network.lock import push_lock
from provdc.network.results import DeviceResult, redact
from provdc.network.scope import Managed


def _each(
    devices: list[Managed], work: Callable[[Managed], DeviceResult], max_workers: int
) -> list[DeviceResult]:
    with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
        return list(pool.map(work, devices))


def _session(
    device: Managed, target: Target, timeout: int, job: Callable[[Any, DeviceResult], None], failed: str
) -> DeviceResult:
    res = DeviceResult(device.hostname, device.site.id, failed)
    start = time.monotonic()
    driver = None
    try:
        driver = open_driver(device, target, timeout)
        job(driver, res)
    except Exception as exc:
        res.result = failed
        res.reason, res.detail = classify(exc)
    finally:
        if driver is not None:
            driver.close()
    res.seconds = time.monotonic() - start
    return res


def compliance(
    inventory: Inventory, target: Target, devices: list[Managed], max_workers: int = 8, timeout: int = 60
) -> list[DeviceResult]:
    intended = Intended(inventory, target)

    def one(device: Managed) -> DeviceResult:
        def job(driver: Any, res: DeviceResult) -> None:
            load_intended(driver, device.platform, intended.text(device))
            res.diff = redact(driver.compare_config(), intended.filled)
            driver.discard_config()
            res.result = "drifted" if res.diff.strip() else "compliant"

        return _session(device, target, timeout, job, "unreachable")

    return _each(devices, one, max_workers)


def backup(
    target: Target, devices: list[Managed], max_workers: int = 8, timeout: int = 60
) -> tuple[list[DeviceResult], str | None]:
    """Results (changed: a new config kept, unchanged, failed) and the run's commit id."""
    repo = BackupRepo(target.name)

    def one(device: Managed) -> DeviceResult:
        def job(driver: Any, res: DeviceResult) -> None:
            text = str(driver.get_config(retrieve="running")["running"])
            old = repo.read(device.hostname)
            repo.write(device.hostname, device.platform, text)
            res.result = "unchanged" if old == text else "changed"

        return _session(device, target, timeout, job, "failed")

    results = _each(devices, one, max_workers)
    ok = sum(1 for r in results if r.result != "failed")
    commit = repo.commit(f"backup of {ok}/{len(results)} devices of target {target.name}")
    return results, commit


def rollback(
    target: Target, devices: list[Managed], max_workers: int = 8, timeout: int = 60
) -> list[DeviceResult]:
    """Each router back to its last backup; result rolled_back (verified), unchanged or failed."""
    repo = BackupRepo(target.name)

    def one(device: Managed) -> DeviceResult:
        saved = repo.read(device.hostname)
        if saved is None:
            return DeviceResult(
                device.hostname,
                device.site.id,
                "failed",
                "backup",
                f"no backup of {device.hostname} in {repo.root}",
            )

        def job(driver: Any, res: DeviceResult) -> None:
            driver.load_replace_candidate(config=saved)
            res.diff = driver.compare_config()
            if not res.diff.strip():
                driver.discard_config()
                res.result = "unchanged"
                return
            driver.commit_config()
            driver.load_replace_candidate(config=saved)
            left = driver.compare_config().strip()
            driver.discard_config()
            if left:
                raise DeviceError("rejected", f"{device.hostname}: differs from its backup: {left[:200]}")
            res.result = "rolled_back"

        return _session(device, target, timeout, job, "failed")

    with push_lock(target.name):  # never while a push changes the same routers
        return _each(devices, one, max_workers)
