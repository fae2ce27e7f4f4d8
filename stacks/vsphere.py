"""pyvmomi plumbing shared by the providers, the preflight, the vcsim fixture and the tests.

Everything here is a plain function over a live connection: no state is kept between calls,
so the dynamic providers (pickled by Pulumi) can import it by reference.
"""

import atexit
import contextlib
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pyVim import connect as _connect
from pyVmomi import vim as _vim
from pyVmomi import vmodl as _vmodl
from pyVmomi.SoapAdapter import SoapStubAdapter

from provdc.core.errors import ProvdcError

# pyvmomi's stubs make every property Optional and its data objects untyped; vCenter objects
# are handled as Any here and checked at run time.
vim: Any = _vim
vmodl: Any = _vmodl
_pyvim: Any = _connect


@dataclass(frozen=True)
class Access:
    """How to reach a vCenter: the SDK URL and credentials (resolved secrets, never logged)."""

    url: str
    username: str
    password: str
    insecure: bool = False

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> "Access":
        return cls(
            str(cfg["url"]),
            str(cfg["username"]),
            str(cfg["password"]),
            str(cfg.get("insecure", "false")).lower() == "true",
        )


@contextmanager
def connect(access: Access, timeout: float = 30) -> Iterator[vim.ServiceInstance]:
    """A logged-in session, closed on exit; a one-line ProvdcError when it cannot be had."""
    si = _login(access, timeout)
    try:
        yield si
    finally:
        _pyvim.Disconnect(si)


# One vCenter session per process and vCenter: a provider process serves every resource of a
# run on many threads, and a Login costs vCenter hundreds of ms. One pyvmomi stub is not safe to
# share between threads (its version state is rewritten while a response is parsed: KeyError
# ('urn:vim25', '') under load), so each thread gets its own stub carrying the one session's
# cookie. The session is closed when the process ends.
_SHARED: dict[Access, Any] = {}
_SHARED_LOCK = threading.Lock()
_THREAD = threading.local()


def shared_session(access: Access, timeout: float = 30) -> Any:
    """This thread's view of the process's one logged-in session with this vCenter."""
    with _SHARED_LOCK:
        main = _SHARED.get(access)
        if main is None:
            main = _SHARED[access] = _login(access, timeout)
            atexit.register(_logout, main)
    views: dict[Access, tuple[Any, Any]] = getattr(_THREAD, "views", {})
    _THREAD.views = views
    view = views.get(access)
    if view is None or view[0] is not main:
        stub = SoapStubAdapter(  # type: ignore[no-untyped-call]
            host=access.host,
            port=access.port,
            version=main._stub.version,
            sslContext=ssl._create_unverified_context() if access.insecure else None,
            poolSize=1,
            connectionPoolTimeout=int(timeout),
        )
        stub.cookie = main._stub.cookie
        view = views[access] = (main, vim.ServiceInstance("ServiceInstance", stub))
    return view[1]


def forget_session(access: Access) -> None:
    """Drops the shared session (after vCenter said it is no longer authenticated)."""
    with _SHARED_LOCK:
        _SHARED.pop(access, None)


def _logout(si: Any) -> None:
    with contextlib.suppress(Exception):
        _pyvim.Disconnect(si)


def _login(access: Access, timeout: float) -> Any:
    try:
        return _pyvim.SmartConnect(
            host=access.host,
            port=access.port,
            user=access.username,
            pwd=access.password,
            disableSslCertValidation=access.insecure,
            connectionPoolTimeout=int(timeout),
        )
    except vim.fault.InvalidLogin:
        raise ProvdcError(f"vCenter {access.url}: login refused for user {access.username!r}") from None
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        raise ProvdcError(f"vCenter {access.url} unreachable: {reason}") from None
    except vmodl.MethodFault as exc:
        raise ProvdcError(f"vCenter {access.url}: {exc.msg}") from None


def wait(task: vim.Task, timeout: float = 600) -> Any:
    """The task's result; its fault re-raised as ProvdcError with vCenter's message."""
    deadline = time.monotonic() + timeout
    info = task.info  # one property read per poll: each is a round trip to vCenter
    while info.state in (vim.TaskInfo.State.queued, vim.TaskInfo.State.running):
        if time.monotonic() > deadline:
            raise ProvdcError(f"vCenter task {info.descriptionId} did not finish in {timeout:.0f} s")
        time.sleep(0.05)
        info = task.info
    if info.state == vim.TaskInfo.State.error:
        raise ProvdcError(f"vCenter: {info.descriptionId}: {info.error.msg or type(info.error).__name__}")
    return info.result


def find_all(si: vim.ServiceInstance, kind: type, root: Any = None) -> list[Any]:
    """Every managed object of a type under root (default: the whole inventory)."""
    return [obj for obj, _ in properties(si, kind, [], root)]


def properties(
    si: vim.ServiceInstance, kind: type, paths: list[str], root: Any = None, recursive: bool = True
) -> list[tuple[Any, dict[str, Any]]]:
    """Every object of a type under root with the properties `paths`, in one retrieval.

    Reading `obj.name` off each object costs a round trip per object; a property collector
    over a container view answers for all of them at once, as govc and vCenter's own
    clients do.
    """
    content = si.RetrieveContent()
    view = content.viewManager.CreateContainerView(root or content.rootFolder, [kind], recursive)
    pc = vmodl.query.PropertyCollector
    spec = pc.FilterSpec(
        objectSet=[
            pc.ObjectSpec(
                obj=view,
                skip=True,
                selectSet=[
                    pc.TraversalSpec(name="view", path="view", skip=False, type=vim.view.ContainerView)
                ],
            )
        ],
        propSet=[pc.PropertySpec(type=kind, pathSet=paths, all=False)],
    )
    try:
        found = content.propertyCollector.RetrieveContents([spec])
    finally:
        view.Destroy()
    return [(o.obj, {p.name: p.val for p in o.propSet or []}) for o in found]


def find(si: vim.ServiceInstance, kind: type, name: str, root: Any = None, recursive: bool = True) -> Any:
    """The object of that type and name, or None."""
    named = properties(si, kind, ["name"], root, recursive)
    return next((obj for obj, props in named if props.get("name") == name), None)


def by_moid(si: vim.ServiceInstance, kind: type, moid: str) -> Any:
    """The object with that managed object id, or None when it no longer exists."""
    obj = kind(moid, si._stub)
    try:
        obj.name  # noqa: B018  (a property read proves the object exists)
    except vmodl.fault.ManagedObjectNotFound:
        return None
    return obj


def datacenter(si: vim.ServiceInstance, name: str) -> vim.Datacenter:
    dc = find(si, vim.Datacenter, name)
    if dc is None:
        raise ProvdcError(f"vCenter has no datacenter {name!r}")
    return dc


def cluster(si: vim.ServiceInstance, dc: vim.Datacenter, name: str) -> vim.ClusterComputeResource:
    cl = find(si, vim.ClusterComputeResource, name, dc.hostFolder)
    if cl is None:
        raise ProvdcError(f"vCenter has no cluster {name!r} in {dc.name}")
    return cl


def switch(si: vim.ServiceInstance, dc: vim.Datacenter, name: str) -> vim.DistributedVirtualSwitch:
    dvs = find(si, vim.DistributedVirtualSwitch, name, dc.networkFolder)
    if dvs is None:
        raise ProvdcError(f"vCenter has no distributed switch {name!r} in {dc.name}")
    return dvs
