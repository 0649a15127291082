"""Prometheus metrics of the platform's health, read from the ``ops`` tables at each scrape."""

import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
from prometheus_client import start_http_server
from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector

from lakehouse.lake import DeltaReader
from lakehouse.observability.dora import dora_summary
from lakehouse.observability.sla import attainment
from lakehouse.observability.tables import (
    ASSET_EVENTS,
    COST_DAILY,
    COST_SCHEMA,
    DURATIONS,
    DURATIONS_SCHEMA,
    EVENTS_SCHEMA,
    RUNS,
    RUNS_SCHEMA,
    SLA_DAILY,
    SLA_SCHEMA,
)

WINDOW_DAYS = 30


def _gauge(name: str, doc: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"lakehouse_{name}", doc, labels=labels)


class OpsCollector(Collector):
    """Freshness, checks, durations, SLA, DORA and cost from the ops tables under ``root``."""

    def __init__(self, reader: DeltaReader, window_days: int = WINDOW_DAYS) -> None:
        self.reader, self.window_days = reader, window_days

    def _read(self, key: tuple[str, str], schema: pa.Schema) -> pa.Table:
        return (
            self.reader.read(list(key)) if self.reader.exists(list(key)) else schema.empty_table()
        )

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """One scrape: every metric family, computed from the tables as they are now."""
        now = datetime.now(UTC)
        events = self._read(ASSET_EVENTS, EVENTS_SCHEMA)
        yield from self._freshness(events.to_pylist(), now)
        yield from self._durations(self._read(DURATIONS, DURATIONS_SCHEMA).to_pylist())
        sla = _gauge("sla_attainment_ratio", "Share of days an asset met its SLA", ["asset"])
        for asset, share in attainment(self._read(SLA_DAILY, SLA_SCHEMA)).items():
            sla.add_metric([asset], share)
        yield sla
        yield from self._dora(self._read(RUNS, RUNS_SCHEMA), events, now.date())
        cost = _gauge(
            "asset_cost_usd",
            f"Estimated dollars per asset, last {self.window_days} days of runs",
            ["asset"],
        )
        since = now.date() - timedelta(days=self.window_days - 1)
        totals: dict[str, float] = defaultdict(float)
        for row in self._read(COST_DAILY, COST_SCHEMA).to_pylist():
            if row["day"] >= since:
                totals[row["asset"]] += row["total_usd"]
        for asset, usd in sorted(totals.items()):
            cost.add_metric([asset], usd)
        yield cost

    def _freshness(self, events: list[dict], now: datetime) -> Iterator[GaugeMetricFamily]:
        last: dict[str, datetime] = {}
        failed_checks: dict[tuple[str, str], int] = defaultdict(int)
        for e in events:
            when = e["timestamp"]
            if e["kind"] == "materialization" and (
                e["asset"] not in last or when > last[e["asset"]]
            ):
                last[e["asset"]] = when
            elif e["kind"] == "check" and e["passed"] is False:
                failed_checks[(e["asset"], e["check_name"])] += 1
        success = _gauge(
            "asset_last_success_timestamp_seconds",
            "Unix time of the asset's newest materialisation",
            ["asset"],
        )
        lag = _gauge(
            "asset_freshness_lag_seconds", "Seconds since the newest materialisation", ["asset"]
        )
        for asset, when in sorted(last.items()):
            success.add_metric([asset], when.timestamp())
            lag.add_metric([asset], (now - when).total_seconds())
        checks = _gauge(
            "asset_check_failures", "Failed evaluations of a check, all history", ["asset", "check"]
        )
        for (asset, check), count in sorted(failed_checks.items()):
            checks.add_metric([asset, check], count)
        yield from (success, lag, checks)

    def _durations(self, rows: list[dict]) -> Iterator[GaugeMetricFamily]:
        newest: dict[str, dict] = {}
        for row in rows:
            if row["asset"] not in newest or row["timestamp"] > newest[row["asset"]]["timestamp"]:
                newest[row["asset"]] = row
        seconds = _gauge(
            "asset_duration_seconds", "Step time of the newest materialisation", ["asset"]
        )
        median = _gauge("asset_duration_median_seconds", "Trailing median step time", ["asset"])
        regressions = _gauge(
            "asset_duration_regressions", "Run-time regressions, all history", ["asset"]
        )
        for asset, row in sorted(newest.items()):
            seconds.add_metric([asset], row["seconds"])
            if row["trailing_median_seconds"] is not None:
                median.add_metric([asset], row["trailing_median_seconds"])
            regressions.add_metric(
                [asset], sum(1 for r in rows if r["asset"] == asset and r["regression"])
            )
        yield from (seconds, median, regressions)

    def _dora(self, runs: pa.Table, events: pa.Table, today: date) -> Iterator[GaugeMetricFamily]:
        first = today - timedelta(days=self.window_days - 1)
        summary = dora_summary(runs, events, first, today)
        window = [f"{self.window_days}d"]
        deployments = _gauge(
            "dora_deployments", "Deployments (code versions first run)", ["window"]
        )
        deployments.add_metric(window, summary.deployments)
        yield deployments
        figures = {
            "dora_change_failure_ratio": (
                "Share of deployments that failed",
                summary.change_failure_rate,
            ),
            "dora_lead_time_median_hours": (
                "Median commit-to-materialisation time",
                summary.lead_time_median_hours,
            ),
            "dora_lead_time_p90_hours": (
                "p90 commit-to-materialisation time",
                summary.lead_time_p90_hours,
            ),
            "dora_time_to_restore_median_minutes": (
                "Median failure-to-success time",
                summary.time_to_restore_median_minutes,
            ),
        }
        for name, (doc, value) in figures.items():
            gauge = _gauge(name, doc, ["window"])
            if value is not None:
                gauge.add_metric(window, value)
            yield gauge


def serve(
    reader: DeltaReader, port: int, host: str = "127.0.0.1", window_days: int = WINDOW_DAYS
) -> None:
    """Serve ``/metrics`` on ``host:port`` until interrupted."""
    REGISTRY.register(OpsCollector(reader, window_days))
    start_http_server(port, addr=host)
    while True:
        time.sleep(3600)
