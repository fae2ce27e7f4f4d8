"""The province's alert rules, as data: what `monitor export prometheus` writes as alert_rules.yml.

The rules read the series `provdc monitor serve` exposes (exporter.py and status_page_state.py)
and, for devices scraped through snmp_exporter, that job's `up`. Thresholds are not repeated
here: the poller's checks already judge sensors and utilisation against the inventory's
`thresholds`, and `provdc_check_failed` carries the verdict and its severity. Each alert joins
`provdc_device_info` for the device's site, kind, district and Vietnamese name.

A condition must hold for one scrape interval (`for:`): a link seen down on two consecutive
scrapes fires, a single lost scrape does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RULES_FILE = "alert_rules.yml"
INFO = "provdc_device_info"
INFO_LABELS = "site, kind, district, name, role"


def with_info(expr: str, info: str = INFO) -> str:
    """`expr` (series with a `device` label) with the device's inventory labels joined on."""
    return f"({expr}) * on(device) group_left({INFO_LABELS}) {info}"


@dataclass(frozen=True)
class Rule:
    alert: str
    expr: str
    summary: str
    severity: str | None = None  # None: the series' own severity label (the check's verdict)

    def document(self, hold: str) -> dict[str, Any]:
        rule: dict[str, Any] = {"alert": self.alert, "expr": self.expr, "for": hold}
        if self.severity is not None:
            rule["labels"] = {"severity": self.severity}
        rule["annotations"] = {"summary": self.summary}
        return rule


def _check(pattern: str) -> str:
    return with_info(f'provdc_check_failed{{check=~"{pattern}"}}') + " == 1"


WHERE = "{{ $labels.name }} ({{ $labels.site }}), {{ $labels.device }}"

RULES: tuple[Rule, ...] = (
    Rule(
        "WanLinkDown",
        with_info("provdc_wan_link_up") + " == 0",
        f"WAN link {{{{ $labels.interface }}}} of {WHERE} is down",
        "critical",
    ),
    Rule(
        "DeviceUnreachable",
        with_info("provdc_device_up", f'{INFO}{{role!="mcu"}}') + " == 0",
        f"{WHERE} does not answer SNMP",
        "critical",
    ),
    Rule(
        "SnmpTargetDown",
        'up{job="snmp", role!="mcu"} == 0',
        f"snmp_exporter cannot scrape {WHERE}",
        "critical",
    ),
    Rule("PowerSupplyFailed", _check("psu.*"), f"power supply {{{{ $labels.check }}}} failed on {WHERE}"),
    Rule("FanFailed", _check("fan.*"), f"fan {{{{ $labels.check }}}} failed on {WHERE}"),
    Rule(
        "TemperatureHigh",
        _check("temperature.*"),
        f"{{{{ $labels.check }}}} over its threshold on {WHERE}",
    ),
    Rule("CpuHigh", _check("cpu .*"), f"{{{{ $labels.check }}}} over its threshold on {WHERE}"),
    Rule(
        "InterfaceUtilisationHigh",
        _check("utilisation .*"),
        f"{{{{ $labels.check }}}} over its threshold on {WHERE}",
    ),
    Rule(
        "VideoConferenceEndpointDown",
        with_info("provdc_vc_endpoints - provdc_vc_endpoints_up") + " > 0",
        f"{{{{ $value }}}} video-conference endpoint(s) of {WHERE} cannot reach the MCU",
        "warning",
    ),
    Rule(
        "McuDown",
        with_info("provdc_device_up", f'{INFO}{{role="mcu"}}') + " == 0",
        "video-conference MCU {{ $labels.device }} does not answer",
        "critical",
    ),
    Rule(
        "McuSnmpTargetDown",
        'up{job="snmp", role="mcu"} == 0',
        "snmp_exporter cannot scrape the video-conference MCU {{ $labels.device }}",
        "critical",
    ),
)


def alert_names() -> list[str]:
    return [r.alert for r in RULES]


def duration(seconds: float) -> str:
    """A Prometheus duration: 2s, 500ms (90 s is written 90s)."""
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    return f"{round(seconds * 1000)}ms"


def rules_document(scrape_interval: float) -> dict[str, Any]:
    """alert_rules.yml: one group, each alert held for one scrape interval."""
    hold = duration(scrape_interval)
    return {"groups": [{"name": "provdc", "rules": [r.document(hold) for r in RULES]}]}
