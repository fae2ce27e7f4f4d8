"""Opening a NAPALM driver for a router with the target's credentials.

Every platform through NAPALM's `get_network_driver`: ios and junos are NAPALM's own drivers, frr is
provdc's (installed as NAPALM's community module `napalm_frr`). Secrets are read at the moment
of use (`secret()`), handed to the driver and never logged; host keys are checked against the
target's known_hosts except on the lab.
"""

import time
from typing import Any

from napalm import get_network_driver  # type: ignore[import-untyped]

from provdc.inventory import Target, secret
from provdc.inventory.platforms import PLATFORMS
from provdc.network import candidate, hostkeys
from provdc.network.errors import DeviceError, classify
from provdc.network.scope import Managed

CONNECT_TRIES = 2
"""A session lost in its handshake (reason `connect`) is opened once more: nothing ran on the device yet.

Seen on a busy machine: paramiko's 'Invalid packet blocking' for one of 37 sessions opened at once.
Authentication, host-key and timeout failures are not retried.
"""


def open_driver(device: Managed, target: Target, timeout: int = 60) -> Any:
    """An opened driver; DeviceError (connect/auth/hostkey/timeout) when the router cannot be reached."""
    for _ in range(CONNECT_TRIES - 1):
        try:
            return _open_once(device, target, timeout)
        except DeviceError as exc:
            if exc.reason != "connect":
                raise
        time.sleep(1)
    return _open_once(device, target, timeout)


def _open_once(device: Managed, target: Target, timeout: int) -> Any:
    access = target.devices
    username = secret(access.username_ref)
    password = secret(access.password_ref) if access.password_ref else ""
    # Each driver reads the optional args it knows: host_keys (frr), ssh_strict (ios, via netmiko).
    args: dict[str, Any] = {
        "port": access.ssh_port,
        "known_hosts": access.known_hosts,
        "host_keys": access.host_keys,
    }
    if access.key_file:
        args["key_file"] = access.key_file
    args.update(hostkeys.optional_args(device.platform, access))
    args.update(candidate.optional_args(device.platform))
    driver = get_network_driver(PLATFORMS[device.platform].napalm_driver)(
        device.address, username, password, timeout=timeout, optional_args=args
    )
    hostkeys.enforce(driver, device.platform, access)
    try:
        driver.open()
    except Exception as exc:  # NAPALM's exceptions by class; a transport's own (netmiko) by its text
        reason, _ = classify(exc)
        if hostkeys.is_hostkey_failure(exc):
            reason = "hostkey"
        elif reason not in ("auth", "timeout", "connect"):
            text = str(exc).lower()
            reason = "auth" if "auth" in text else "timeout" if "timed out" in text else "connect"
        raise DeviceError(reason, f"{device.hostname}: {type(exc).__name__}: {exc}") from None
    return driver
