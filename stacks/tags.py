"""Tag categories, tags and their attachment to VMs (the Decree 85/2016 security level).

Categories and tags are renamed/re-described in place; an attachment is replaced when its
tag or object changes. Ids are vCenter's tag URNs; an attachment's id is `<tag>|<object>`.
"""

from typing import Any

from pulumi import Input, ResourceOptions
from pulumi.dynamic import CreateResult, ReadResult, Resource, UpdateResult

from provdc.stacks.provider_base import VsphereProvider
from provdc.stacks.tagging import tagging


class CategoryProvider(VsphereProvider):
    fields = ("name", "description", "types")

    def create(self, props: dict[str, Any]) -> CreateResult:
        with tagging(self._access) as api:
            found = next((c for c in api.categories() if c["name"] == props["name"]), None)
            if found is not None:
                return CreateResult(found["id"], self.desired(props))
            cid = api.create_category(props["name"], props["description"], props["types"])
            return CreateResult(cid, self.desired(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with tagging(self._access) as api:
            cat = api.call("GET", f"/tagging/category/id:{id_}")
            if cat is None:
                return ReadResult(None, {})
            live = {"name": cat["name"], "description": cat["description"], "types": cat["associable_types"]}
            return ReadResult(id_, {**self.desired(props), **live})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with tagging(self._access) as api:
            spec = {
                "name": news["name"],
                "description": news["description"],
                "associable_types": news["types"],
            }
            api.call("PATCH", f"/tagging/category/id:{id_}", {"update_spec": spec})
            return UpdateResult(self.desired(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with tagging(self._access) as api:
            if api.call("GET", f"/tagging/category/id:{id_}") is not None:
                api.call("DELETE", f"/tagging/category/id:{id_}")


class TagProvider(VsphereProvider):
    fields = ("category_id", "name", "description")
    replace_on = ("category_id",)

    def create(self, props: dict[str, Any]) -> CreateResult:
        with tagging(self._access) as api:
            found = next(
                (
                    t
                    for t in api.tags()
                    if t["name"] == props["name"] and t["category_id"] == props["category_id"]
                ),
                None,
            )
            if found is not None:
                return CreateResult(found["id"], self.desired(props))
            tid = api.create_tag(props["category_id"], props["name"], props["description"])
            return CreateResult(tid, self.desired(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with tagging(self._access) as api:
            tag = api.call("GET", f"/tagging/tag/id:{id_}")
            if tag is None:
                return ReadResult(None, {})
            live = {"name": tag["name"], "description": tag["description"], "category_id": tag["category_id"]}
            return ReadResult(id_, {**self.desired(props), **live})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        with tagging(self._access) as api:
            spec = {"name": news["name"], "description": news["description"]}
            api.call("PATCH", f"/tagging/tag/id:{id_}", {"update_spec": spec})
            return UpdateResult(self.desired(news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with tagging(self._access) as api:
            if api.call("GET", f"/tagging/tag/id:{id_}") is not None:
                api.call("DELETE", f"/tagging/tag/id:{id_}")


class TagAttachmentProvider(VsphereProvider):
    fields = ("tag_id", "object_type", "object_id")
    replace_on = fields

    def create(self, props: dict[str, Any]) -> CreateResult:
        with tagging(self._access) as api:
            api.attach(props["tag_id"], props["object_type"], props["object_id"])
            return CreateResult(f"{props['tag_id']}|{props['object_id']}", self.desired(props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        with tagging(self._access) as api:
            if props["tag_id"] not in api.attached(props["object_type"], props["object_id"]):
                return ReadResult(None, {})
            return ReadResult(id_, self.desired(props))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        with tagging(self._access) as api:
            if api.call("GET", f"/tagging/tag/id:{props['tag_id']}") is not None:
                api.attach(props["tag_id"], props["object_type"], props["object_id"], action="detach")


class Category(Resource, module="vsphere", name="TagCategory"):
    def __init__(self, name: str, props: dict[str, Input[Any]], opts: ResourceOptions | None = None):
        super().__init__(CategoryProvider(), name, props, opts)


class Tag(Resource, module="vsphere", name="Tag"):
    def __init__(self, name: str, props: dict[str, Input[Any]], opts: ResourceOptions | None = None):
        super().__init__(TagProvider(), name, props, opts)


class TagAttachment(Resource, module="vsphere", name="TagAttachment"):
    def __init__(self, name: str, props: dict[str, Input[Any]], opts: ResourceOptions | None = None):
        super().__init__(TagAttachmentProvider(), name, props, opts)
