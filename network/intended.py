"""The intended config of a managed router, with secrets filled from the target at push time.

Rendered files carry `<<secret:REF>>` where REF is the inventory's reference; the target says
where that secret lives for it (its `snmp` section), so the lab and production differ only there.
"""

from provdc.inventory import Inventory, Target, secret
from provdc.network.context import secret_placeholder
from provdc.network.render import Renderer
from provdc.network.scope import Managed


class Intended:
    def __init__(self, inventory: Inventory, target: Target) -> None:
        self.renderer = Renderer(inventory)
        snmp = inventory.services.snmp
        self.refs = {snmp.auth_key_ref: target.snmp.auth_key_ref, snmp.priv_key_ref: target.snmp.priv_key_ref}
        self.filled: list[str] = []  # the values put in, for redaction of diffs and reports

    def text(self, device: Managed) -> str:
        """The config to push, secrets filled."""
        text = self.renderer.device(device.site, device.platform).text
        for inventory_ref, target_ref in self.refs.items():
            mark = secret_placeholder(inventory_ref)
            if mark in text:
                value = secret(target_ref)
                self.filled.append(value)
                text = text.replace(mark, value)
        return text
