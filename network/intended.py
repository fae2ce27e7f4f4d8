"""The intended config of a managed router, with secrets filled from the target at push time.

Rendered files carry `<<secret:REF>>` where REF is the inventory's reference; the target says
where that secret lives for it (its `snmp` section), so the lab and production differ only there.
"""

from provdc.core.errors import ProvdcError
from provdc.inventory import Inventory, Target, secret
from provdc.inventory.platforms import Platform
from provdc.network.context import crypt_placeholder, secret_placeholder
from provdc.network.render import Renderer
from provdc.network.scope import Managed
from provdc.network.sha512crypt import device_salt, sha512_crypt


def _as_printed(value: str, ref: str, platform: Platform) -> str:
    """The secret as its statement holds it: Junos marks sit in a quoted string; IOS reads words."""
    if platform == "juniper_junos":
        return value.replace("\\", "\\\\").replace('"', '\\"')
    if any(ch.isspace() for ch in value):
        raise ProvdcError(f"secret {ref}: holds a space, which {platform} reads as the end of the value")
    return value


class Intended:
    def __init__(self, inventory: Inventory, target: Target) -> None:
        self.renderer = Renderer(inventory)
        snmp = inventory.services.snmp
        self.refs = {snmp.auth_key_ref: target.snmp.auth_key_ref, snmp.priv_key_ref: target.snmp.priv_key_ref}
        aaa = inventory.services.aaa  # router logins: the inventory's references, the same everywhere
        for ref in (aaa.tacacs_key_ref, aaa.break_glass_secret_ref):
            self.refs.setdefault(ref, ref)
        self.filled: list[str] = []  # the values put in, for redaction of diffs and reports

    def text(self, device: Managed) -> str:
        """The config to push, secrets filled."""
        text = self.renderer.device(device.site, device.platform).text
        for inventory_ref, target_ref in self.refs.items():
            mark = secret_placeholder(inventory_ref)
            if mark in text:
                value = secret(target_ref)
                printed = _as_printed(value, target_ref, device.platform)
                self.filled.extend({value, printed})
                text = text.replace(mark, printed)
            mark = crypt_placeholder(inventory_ref)
            if mark in text:  # Junos login: the secret's SHA-512 crypt hash
                value = secret(target_ref)
                hashed = sha512_crypt(value, device_salt(value, device.hostname))
                self.filled.append(hashed)
                text = text.replace(mark, hashed)
        return text
