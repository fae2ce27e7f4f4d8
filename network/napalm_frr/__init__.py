"""The module NAPALM imports for `get_network_driver("frr")` (community drivers are `napalm_<name>`).

It holds no code of its own: the driver is provdc's, `provdc.network.drivers.frr.FrrDriver`.
"""

from provdc.network.drivers.frr import FrrDriver

__all__ = ["FrrDriver"]
