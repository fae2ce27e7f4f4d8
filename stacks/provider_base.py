"""What every vSphere dynamic provider shares: credentials from stack config, a diff by field.

Pulumi pickles a provider instance into each resource's state; the classes live in importable
modules, so the pickle names them by reference and holds no code and no credential. The
credentials arrive through `configure()` from the stack config (`provdc:vcenter*`, the password
a Pulumi secret) in the provider process, where all calls share one vCenter session (the
provider server runs calls on several threads at once; pyvmomi's stub is thread-safe).
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

from pulumi.dynamic import ConfigureRequest, DiffResult, ResourceProvider

from provdc.stacks import vsphere
from provdc.stacks.vsphere import Access, vim

CONFIG_KEYS = {
    "url": "provdc:vcenterUrl",
    "username": "provdc:vcenterUser",
    "password": "provdc:vcenterPassword",
    "insecure": "provdc:vcenterInsecure",
}


class VsphereProvider(ResourceProvider):
    """Base: `fields` are the inputs compared by diff; changing one in `replace_on` replaces."""

    fields: ClassVar[Sequence[str]] = ()
    replace_on: ClassVar[Sequence[str]] = ()

    def configure(self, req: ConfigureRequest) -> None:
        cfg = {name: req.config.get(key) for name, key in CONFIG_KEYS.items()}
        missing = [CONFIG_KEYS[k] for k in ("url", "username", "password") if not cfg[k]]
        if missing:
            raise ValueError(f"stack config lacks {', '.join(missing)}")
        self._access = Access.from_config(cfg)

    @contextmanager
    def session(self) -> Iterator[vim.ServiceInstance]:
        """The provider process's one vCenter session (vsphere.shared_session); a call that finds
        it expired drops it, so the next call logs in again."""
        try:
            yield vsphere.shared_session(self._access)
        except vim.fault.NotAuthenticated:
            vsphere.forget_session(self._access)
            raise

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [f for f in self.fields if olds.get(f) != news.get(f)]
        replaces = [f for f in changed if f in self.replace_on]
        return DiffResult(changes=bool(changed), replaces=replaces, stables=[], delete_before_replace=True)

    def desired(self, props: dict[str, Any]) -> dict[str, Any]:
        """The managed inputs of a resource, without Pulumi's own keys."""
        return {f: props[f] for f in self.fields if f in props}
