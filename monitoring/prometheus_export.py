"""`provdc monitor export prometheus`: a Prometheus configuration of the province, from the inventory.

It writes, into one folder:

- `prometheus.yml` (or `prometheus-<k>.yml` for each of N shards): a scrape job for `provdc monitor
  serve` (its /metrics) and one for snmp_exporter, whose targets come from file_sd;
- `targets/snmp.json`: every device as a file_sd target group, labelled `device`, `site`, `kind`,
  `district`, `name` (the Vietnamese names, NFC) and `role`, with its snmp_exporter module and
  auth (the snmp.yml of `monitoring/snmp_exporter_config.py`);
- `alert_rules.yml` (alert_rules.py).

Sharding is Prometheus's own: with `--shards N` each server keeps the devices whose name hashes
(`hashmod` over the `device` label) to its number, for the snmp job before the scrape and for the
provdc job on the scraped series, so a device's series from both jobs land on the same server.

Every label value is inventory text and so hostile: the files are made by the YAML and JSON
serialisers, never by string templates, and are written atomically.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from provdc.core.errors import ProvdcError
from provdc.core.files import write_file
from provdc.inventory.errors import TargetError
from provdc.inventory.model import Device, Inventory
from provdc.inventory.scope import Scope
from provdc.monitoring.alert_rules import RULES_FILE, duration, rules_document
from provdc.monitoring.profiles import profile_of_platform
from provdc.monitoring.snmp_exporter_config import V3_AUTH, module_name

TARGETS_DIR = "targets"
SNMP_TARGETS = "snmp.json"
LABELS = ("device", "site", "kind", "district", "name", "role")
MCU_GROUP = "video_conference"  # the workload group of the video-conference MCU VMs


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def site_labels(inv: Inventory, site_id: str) -> dict[str, str]:
    """site, kind, district and name of a site id (`carrier` for the PEs)."""
    site = inv.sites.get(site_id)
    if site is None:
        return {"site": site_id, "kind": site_id, "district": "", "name": site_id}
    district = ""
    if site.kind == "district":
        district = site.name
    elif site.parent is not None and site.parent in inv.sites:
        district = inv.sites[site.parent].name
    return {"site": site.id, "kind": site.kind, "district": _nfc(district), "name": _nfc(site.name)}


def device_labels(inv: Inventory, device: Device) -> dict[str, str]:
    """The labels every series of a device carries in Prometheus, in LABELS order."""
    labels = {"device": device.name, **site_labels(inv, device.site), "role": device.role}
    return {k: labels[k] for k in LABELS}


@dataclass(frozen=True)
class ScrapeTarget:
    """One device as Prometheus reaches it through snmp_exporter."""

    address: str  # host or host:port of the SNMP agent
    profile: str  # the provdc profile whose snmp_exporter module polls it
    labels: dict[str, str]

    def group(self) -> dict[str, Any]:
        """Its file_sd target group: `__param_module` and `__param_auth` pick snmp_exporter's
        module and auth per device (snmp_exporter_config writes both)."""
        params = {"__param_module": module_name(self.profile), "__param_auth": V3_AUTH}
        return {"targets": [self.address], "labels": {**self.labels, **params}}


def _address(host: str, port: int) -> str:
    return host if port == 161 else f"{host}:{port}"


def mcu_vms(scope: Scope) -> Iterator[tuple[str, str]]:
    """(name, address) of the MCU VMs the target holds (none in a lab without them)."""
    try:
        hosts = scope.hosts()
    except TargetError:
        return
    for vm in hosts:
        if vm.group == MCU_GROUP:
            yield vm.name, str(vm.address)


def mcu_labels(inv: Inventory, name: str) -> dict[str, str]:
    return {"device": name, **site_labels(inv, "dc"), "role": "mcu"}


def scrape_targets(scope: Scope) -> list[ScrapeTarget]:
    """Every device of the scope (and the MCU VMs), as snmp_exporter targets."""
    inv = scope.inventory
    port = scope.target.snmp.port
    lab_platform = scope.lab.platform if scope.lab is not None else None
    targets = []
    for reach in scope.devices():
        device = reach.device
        platform = lab_platform if lab_platform and device.role in ("router", "pe") else device.platform
        profile = device.snmp_profile or profile_of_platform(platform)
        labels = device_labels(inv, device)
        targets.append(ScrapeTarget(_address(reach.address, port), profile, labels))
    for name, address in mcu_vms(scope):
        targets.append(ScrapeTarget(_address(address, port), "net-snmp", mcu_labels(inv, name)))
    return targets


@dataclass(frozen=True)
class ExportOptions:
    out: Path
    shards: int = 1
    scrape_interval: float = 30.0  # seconds; also the time a condition must hold before it fires
    serve_address: str = "127.0.0.1:9116"  # `provdc monitor serve`
    snmp_exporter_address: str = "127.0.0.1:9117"
    snmp_exporter: bool = True  # False: no snmp job (no snmp_exporter runs there)

    def check(self) -> None:
        if not 1 <= self.shards <= 64:
            raise ProvdcError(f"--shards {self.shards}: give 1 to 64 Prometheus servers")
        if not 0.5 <= self.scrape_interval <= 3600:
            raise ProvdcError(f"--scrape-interval {self.scrape_interval:g}: give 0.5 to 3600 seconds")
        for option, value in (
            ("--serve", self.serve_address),
            ("--snmp-exporter", self.snmp_exporter_address),
        ):
            host, sep, port = value.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ProvdcError(f"{option} {value!r}: not HOST:PORT")


def _shard_keep(shard: int, shards: int) -> list[dict[str, Any]]:
    """hashmod the device name into `shards` buckets and keep this server's."""
    if shards == 1:
        return []
    return [
        {
            "source_labels": ["device"],
            "modulus": shards,
            "target_label": "__tmp_shard",
            "action": "hashmod",
        },
        {"source_labels": ["__tmp_shard"], "regex": str(shard), "action": "keep"},
    ]


def prometheus_config(opts: ExportOptions, shard: int = 0, province: str = "") -> dict[str, Any]:
    """One Prometheus server's configuration (shard `shard` of `opts.shards`)."""
    interval = duration(opts.scrape_interval)
    external = {"province": _nfc(province)} if province else {}
    if opts.shards > 1:
        external["shard"] = str(shard)
    provdc_job: dict[str, Any] = {
        "job_name": "provdc",
        "scrape_interval": interval,
        "scrape_timeout": interval,
        "static_configs": [{"targets": [opts.serve_address]}],
    }
    if opts.shards > 1:
        provdc_job["metric_relabel_configs"] = _shard_keep(shard, opts.shards)
    jobs = [provdc_job]
    if opts.snmp_exporter:
        jobs.append(
            {
                "job_name": "snmp",
                "scrape_interval": interval,
                "scrape_timeout": interval,
                "metrics_path": "/snmp",
                "file_sd_configs": [{"files": [f"{TARGETS_DIR}/{SNMP_TARGETS}"], "refresh_interval": "1m"}],
                "relabel_configs": [
                    *_shard_keep(shard, opts.shards),
                    {"source_labels": ["__address__"], "target_label": "__param_target"},
                    {"source_labels": ["__param_target"], "target_label": "instance"},
                    {"target_label": "__address__", "replacement": opts.snmp_exporter_address},
                ],
            }
        )
    return {
        "global": {
            "scrape_interval": interval,
            "evaluation_interval": duration(min(opts.scrape_interval, 30.0) / 2),
            **({"external_labels": external} if external else {}),
        },
        "rule_files": [RULES_FILE],
        "scrape_configs": jobs,
    }


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)


def config_name(shard: int, shards: int) -> str:
    return "prometheus.yml" if shards == 1 else f"prometheus-{shard}.yml"


def export(scope: Scope, opts: ExportOptions) -> list[Path]:
    """Write the configuration files into `opts.out` (created if missing); returns them."""
    opts.check()
    inv = scope.inventory
    targets = scrape_targets(scope)
    if not opts.out.exists():
        try:
            opts.out.mkdir(parents=True)
        except OSError as exc:
            raise ProvdcError(f"--out {opts.out}: cannot create: {exc.strerror}") from None
    if not opts.out.is_dir():
        raise ProvdcError(f"--out {opts.out}: not a folder")
    (opts.out / TARGETS_DIR).mkdir(exist_ok=True)
    groups = [t.group() for t in targets]
    written = [
        write_file(
            opts.out / TARGETS_DIR / SNMP_TARGETS, json.dumps(groups, ensure_ascii=False, indent=1) + "\n"
        ),
        write_file(opts.out / RULES_FILE, dump_yaml(rules_document(opts.scrape_interval))),
    ]
    for shard in range(opts.shards):
        config = prometheus_config(opts, shard, inv.province.name)
        written.append(write_file(opts.out / config_name(shard, opts.shards), dump_yaml(config)))
    return written
