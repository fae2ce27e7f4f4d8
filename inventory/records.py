"""A site as plain JSON-ready data: what `inventory show` and `add-site` print for scripts."""

from collections.abc import Mapping
from typing import Any

from provdc.inventory.errors import SiteNotFound
from provdc.inventory.model import Site


def find_site(sites: Mapping[str, Site], key: str) -> Site:
    """The site whose id, official code or router hostname is `key` exactly (one site, not a glob)."""
    for site in sites.values():
        if key in (site.id, site.code, site.router.hostname):
            return site
    raise SiteNotFound(f"no site '{key}' (give a site id such as com-10507, a code or a hostname)")


def site_record(site: Site) -> dict[str, Any]:
    r, w = site.router, site.wan
    return {
        "id": site.id,
        "kind": site.kind,
        "code": site.code,
        "name": site.name,
        "type": site.type,
        "parent": site.parent,
        "slot": site.slot,
        "vc_endpoints": site.vc_endpoints,
        "router": {
            "hostname": r.hostname,
            "platform": r.platform,
            "model": r.model,
            "loopback": str(r.loopback),
            "asn": r.asn,
        },
        "wan": {
            "circuit_id": w.circuit_id,
            "carrier": w.carrier,
            "bandwidth_mbps": w.bandwidth_mbps,
            "pe": w.pe,
            "routing": w.routing,
            "network": str(w.network),
            "interface": w.interface,
            "ce_address": str(w.ce_address),
            "pe_address": str(w.pe_address),
        },
        "lans": [
            {"role": lan.role, "vlan": lan.vlan, "network": str(lan.network), "gateway": str(lan.gateway)}
            for lan in site.lans
        ],
    }
