"""A client of vCenter's tagging REST API on its legacy paths (/rest/com/vmware/cis/...).

vcsim serves tags only there; real vCenters still answer them (deprecated, not removed).
A session is opened per use with basic auth and closed at the end.
"""

import base64
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from provdc.core.errors import ProvdcError
from provdc.stacks.vsphere import Access

BASE = "/rest/com/vmware/cis"


class Tagging:
    def __init__(self, access: Access, session: str, context: ssl.SSLContext) -> None:
        self._root = f"{urlsplit(access.url).scheme}://{access.host}:{access.port}{BASE}"
        self._session = session
        self._context = context

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """The `value` of the answer; None for 404 on GET (gone)."""
        req = urllib.request.Request(
            self._root + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"vmware-api-session-id": self._session, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, context=self._context, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and method == "GET":
                return None
            raise ProvdcError(f"vCenter tagging {method} {path}: HTTP {exc.code}") from None
        return json.loads(raw).get("value") if raw else None

    def create_category(self, name: str, description: str, types: list[str]) -> str:
        spec = {"name": name, "description": description, "cardinality": "SINGLE", "associable_types": types}
        return str(self.call("POST", "/tagging/category", {"create_spec": spec}))

    def categories(self) -> list[dict[str, Any]]:
        ids = self.call("GET", "/tagging/category") or []
        return [self.call("GET", f"/tagging/category/id:{i}") for i in ids]

    def tags(self) -> list[dict[str, Any]]:
        ids = self.call("GET", "/tagging/tag") or []
        return [self.call("GET", f"/tagging/tag/id:{i}") for i in ids]

    def create_tag(self, category_id: str, name: str, description: str) -> str:
        spec = {"name": name, "description": description, "category_id": category_id}
        return str(self.call("POST", "/tagging/tag", {"create_spec": spec}))

    def attached(self, object_type: str, moid: str) -> list[str]:
        body = {"object_id": {"type": object_type, "id": moid}}
        return list(self.call("POST", "/tagging/tag-association?~action=list-attached-tags", body) or [])

    def attach(self, tag_id: str, object_type: str, moid: str, action: str = "attach") -> None:
        body = {"object_id": {"type": object_type, "id": moid}}
        self.call("POST", f"/tagging/tag-association/id:{tag_id}?~action={action}", body)


@contextmanager
def tagging(access: Access) -> Iterator[Tagging]:
    context = ssl.create_default_context()
    if access.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    root = f"{urlsplit(access.url).scheme}://{access.host}:{access.port}{BASE}"
    auth = base64.b64encode(f"{access.username}:{access.password}".encode()).decode()
    req = urllib.request.Request(f"{root}/session", method="POST", headers={"Authorization": f"Basic {auth}"})
    try:
        with urllib.request.urlopen(req, context=context, timeout=30) as resp:
            session = json.loads(resp.read())["value"]
    except urllib.error.HTTPError as exc:
        raise ProvdcError(f"vCenter tagging: login refused (HTTP {exc.code})") from None
    except OSError as exc:
        raise ProvdcError(f"vCenter {access.url} unreachable: {exc}") from None
    client = Tagging(access, session, context)
    try:
        yield client
    finally:
        client.call("DELETE", "/session")
