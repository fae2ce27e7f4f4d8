"""Prometheus exposition of the latest poll (prometheus_client), for a Prometheus server to scrape."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from provdc.monitoring.results import DeviceResult

UP = {"up": 1.0}


class PollCollector(Collector):
    """Serves the results last given to `publish`; counters keep the agents' own values."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._results: list[DeviceResult] = []

    def publish(self, results: list[DeviceResult]) -> None:
        with self._lock:
            self._results = list(results)

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            results = self._results
        up = GaugeMetricFamily(
            "provdc_device_up", "1 when the agent answered the last poll", labels=["device"]
        )
        uptime = GaugeMetricFamily("provdc_device_uptime_seconds", "sysUpTime", labels=["device"])
        took = GaugeMetricFamily("provdc_poll_duration_seconds", "time the last poll took", labels=["device"])
        oper = GaugeMetricFamily(
            "provdc_interface_oper_up", "1 when ifOperStatus is up", labels=["device", "interface"]
        )
        speed = GaugeMetricFamily(
            "provdc_interface_speed_mbps", "ifHighSpeed", labels=["device", "interface"]
        )
        octets_in = CounterMetricFamily(
            "provdc_interface_in_octets", "ifHCInOctets", labels=["device", "interface"]
        )
        octets_out = CounterMetricFamily(
            "provdc_interface_out_octets", "ifHCOutOctets", labels=["device", "interface"]
        )
        sensor = GaugeMetricFamily(
            "provdc_sensor_value", "sensor reading", labels=["device", "kind", "sensor", "unit"]
        )
        failed = GaugeMetricFamily(
            "provdc_check_failed", "1 when the check failed", labels=["device", "check", "severity"]
        )
        for r in results:
            up.add_metric([r.name], 1.0 if r.reachable else 0.0)
            took.add_metric([r.name], r.seconds)
            if r.uptime_s is not None:
                uptime.add_metric([r.name], r.uptime_s)
            for i in r.interfaces:
                oper.add_metric([r.name, i.name], UP.get(i.oper_status or "", 0.0))
                if i.speed_mbps is not None:
                    speed.add_metric([r.name, i.name], i.speed_mbps)
                if i.in_octets is not None:
                    octets_in.add_metric([r.name, i.name], i.in_octets)
                if i.out_octets is not None:
                    octets_out.add_metric([r.name, i.name], i.out_octets)
            for s in r.sensors:
                if s.value is not None:
                    sensor.add_metric([r.name, s.kind, s.name, s.unit], s.value)
            for c in r.checks:
                failed.add_metric([r.name, c.name, c.severity], 1.0 if c.status == "failed" else 0.0)
        yield from (up, uptime, took, oper, speed, octets_in, octets_out, sensor, failed)
