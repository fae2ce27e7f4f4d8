"""Opening a NAPALM driver for a router with the target's credentials.

FRR: our driver. cisco_ios / juniper_junos: NAPALM's own drivers. Secrets are read at the moment
of use (`secret()`), handed to the driver and never logged; host keys are checked against the
target's known_hosts except on the lab.
"""

from typing import Any

from provdc.inventory import Target, secret
from provdc.inventory.platforms import PLATFORMS
from provdc.network import candidate, hostkeys
from provdc.network.drivers.frr import FrrDriver
from provdc.network.errors import DeviceError, Reason
from provdc.network.scope import Managed


def open_driver(device: Managed, target: Target, timeout: int = 60) -> Any:
    """An opened driver; DeviceError (connect/auth/timeout) when the router cannot be reached."""
    access = target.devices
    username = secret(access.username_ref)
    password = secret(access.password_ref) if access.password_ref else ""
    args: dict[str, Any] = {"port": access.ssh_port, "known_hosts": access.known_hosts}
    if access.key_file:
        args["key_file"] = access.key_file
    if device.platform == "frr":
        args["host_keys"] = access.host_keys
        driver: Any = FrrDriver(device.address, username, password, timeout=timeout, optional_args=args)
    else:
        from napalm import get_network_driver  # type: ignore[import-untyped]

        args.update(hostkeys.optional_args(device.platform, access))
        args.update(candidate.optional_args(device.platform))
        driver = get_network_driver(PLATFORMS[device.platform].napalm_driver)(
            device.address, username, password, timeout=timeout, optional_args=args
        )
        hostkeys.enforce(driver, device.platform, access)
    try:
        driver.open()
    except DeviceError:
        raise
    except Exception as exc:  # NAPALM drivers raise their own connection exceptions
        cause = exc.__cause__
        if isinstance(cause, DeviceError):
            raise cause from None
        text = str(exc).lower()
        reason: Reason = "auth" if "auth" in text else "timeout" if "timed out" in text else "connect"
        if hostkeys.is_hostkey_failure(exc):
            reason = "hostkey"
        raise DeviceError(reason, f"{device.hostname}: {type(exc).__name__}: {exc}") from None
    return driver
