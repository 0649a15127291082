"""The pure functions behind the ops tables, on tiny hand-made runs and events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest

from lakehouse.observability.cost import Prices, cost_daily, load_prices
from lakehouse.observability.dora import deployments, dora_summary, quantile, restores
from lakehouse.observability.durations import durations, regression_alert
from lakehouse.observability.sla import SlaTarget, attainment, sla_daily
from lakehouse.observability.tables import EVENTS_SCHEMA, RUNS_SCHEMA
from lakehouse.operations.webhook import slack_payload

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def _run(
    run_id: str,
    version: str,
    hours: float,
    status: str = "SUCCESS",
    operation: str | None = None,
    committed_hours_before: float = 5,
) -> dict:
    start = T0 + timedelta(hours=hours)
    return {
        "run_id": run_id,
        "job_name": "daily",
        "status": status,
        "code_version": version,
        "committed_at": T0 + timedelta(hours=hours - committed_hours_before)
        if committed_hours_before is not None
        else None,
        "version_from_tag": True,
        "operation": operation,
        "partition": None,
        "start_time": start,
        "end_time": start,
        "updated_at": start,
    }


def _event(
    run_id: str,
    kind: str,
    hours: float,
    asset: str = "silver/a",
    partition: str = "p",
    **extra: object,
) -> dict:
    return {
        "run_id": run_id,
        "seq": int(hours * 100),
        "kind": kind,
        "asset": asset,
        "partition": partition,
        "timestamp": T0 + timedelta(hours=hours),
        **extra,
    }


def _events(*rows: dict) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=EVENTS_SCHEMA)


def test_quantile_interpolates_linearly() -> None:
    assert quantile([2, 4, 6, 12, 16], 0.5) == 6
    assert quantile([2, 4, 6, 12, 16], 0.9) == pytest.approx(14.4)
    assert quantile([], 0.5) is None


def test_a_deployment_fails_on_a_failed_run_a_blocking_check_or_a_rollback() -> None:
    runs = pa.Table.from_pylist(
        [
            _run("a1", "A", 0),
            _run("b1", "B", 24),
            _run("b2", "B", 30, operation="rollback"),
            _run("c1", "C", 48),
            _run("d1", "D", 72),
            _run("d2", "D", 80, status="FAILURE"),
            _run("e1", "E", 96),
        ],
        schema=RUNS_SCHEMA,
    )
    events = _events(
        _event("a1", "materialization", 0.5),
        _event("b1", "materialization", 24.5),
        _event("c1", "check", 48.5, check_name="not_null", passed=False, blocking=True),
        _event("d1", "materialization", 72.25),
        _event("e1", "check", 96.5, check_name="volume", passed=False, blocking=False),
        _event("e1", "materialization", 96.5),
    )
    found = {d.code_version: d for d in deployments(runs, events)}
    assert {v: d.failed for v, d in found.items()} == {
        "A": False,
        "B": True,
        "C": True,
        "D": True,
        "E": False,  # a warning does not count
    }
    assert found["A"].lead_time_hours == 5.5  # committed 5 h before the run, success 0.5 h in
    assert found["C"].lead_time_hours is None  # never materialised successfully
    summary = dora_summary(runs, events, date(2026, 3, 1), date(2026, 3, 7))
    assert (summary.deployments, summary.failed_deployments) == (5, 3)
    assert summary.change_failure_rate == 0.6
    assert summary.deployments_per_week == 5.0
    assert summary.lead_time_median_hours == 5.5  # of 5.5 (A), 5.5 (B), 5.25 (D), 5.5 (E)


def test_time_to_restore_runs_from_the_first_failure_to_the_next_success() -> None:
    events = _events(
        _event("r1", "failure", 1),
        _event("r2", "failure", 2),
        _event("r3", "materialization", 4),
        _event("r4", "failure", 5, partition="q"),  # never restored
    )
    [restore] = restores(events)
    assert (restore.partition, restore.minutes) == ("p", 180.0)


def test_sla_days_are_met_late_failed_blocked_or_missing() -> None:
    target = SlaTarget("silver/a", timedelta(hours=6))  # partition D due at D+1 06:00
    day = lambda n: f"2026-03-0{n}"  # noqa: E731
    due = lambda n, h: (datetime(2026, 3, n + 1, tzinfo=UTC) - T0).total_seconds() / 3600 + h  # noqa: E731
    events = _events(
        _event("r1", "materialization", due(1, 5), partition=day(1)),  # 05:00: met by 60 min
        _event("r2", "materialization", due(2, 7), partition=day(2)),  # 07:00: late 60 min
        _event("r3", "failure", due(3, 1), partition=day(3)),
        _event("r3", "materialization", due(3, 8), partition=day(3)),  # failed, 120 min
        _event(
            "r4", "check", due(4, 2), partition=day(4), check_name="c", passed=False, blocking=True
        ),  # blocked, never landed
    )
    now = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    rows = {r["day"].day: r for r in sla_daily(events, [target], now).to_pylist()}
    assert {d: r["status"] for d, r in rows.items()} == {
        1: "met",
        2: "late",
        3: "failed",
        4: "blocked",
    }
    assert [rows[d]["downtime_minutes"] for d in (1, 2, 3, 4)] == [0.0, 60.0, 120.0, 360.0]
    assert rows[1]["margin_minutes"] == 60.0 and rows[4]["margin_minutes"] is None
    assert attainment(sla_daily(events, [target], now)) == {"silver/a": 0.25}


def test_a_run_over_three_times_its_median_is_a_regression_with_its_cause() -> None:
    rows = [_event(f"r{i}", "materialization", i, step_seconds=100.0, rows=1000) for i in range(4)]
    rows.append(_event("slow", "materialization", 5, step_seconds=301.0, rows=3000))
    rows.append(_event("fast", "materialization", 6, step_seconds=50.0, rows=1000))
    table = durations(_events(*rows)).to_pylist()
    flagged = [r for r in table if r["regression"]]
    assert [(r["run_id"], r["factor"]) for r in flagged] == [("slow", 3.01)]
    assert flagged[0]["likely_cause"].startswith("rows grew 3.0x")
    alert = regression_alert(flagged[0], "http://dagster/runs/slow")
    text = str(slack_payload(alert)["text"])
    assert "silver/a" in text and "3.0x" in text and "rows grew" in text


def test_short_runs_are_never_regressions() -> None:
    rows = [_event(f"r{i}", "materialization", i, step_seconds=5.0, rows=10) for i in range(4)]
    rows.append(_event("x", "materialization", 5, step_seconds=50.0, rows=10))  # 10x, < 60 s
    assert not any(r["regression"] for r in durations(_events(*rows)).to_pylist())


def test_cost_counts_failed_steps_and_prices_requests() -> None:
    prices = Prices(
        "test",
        "2026-01-01",
        vcpu_hour=3.6,
        gb_hour=0.0,
        task_vcpu=1.0,
        task_memory_gb=0.0,
        put_per_1000=1.0,
        get_per_1000=0.5,
        storage_gb_month=0.0,
    )
    events = _events(
        _event("r1", "failure", 1, step_seconds=30.0),
        _event("r2", "materialization", 2, step_seconds=70.0, bytes_added=500, files_added=3),
    )
    [row] = cost_daily(events, prices).to_pylist()
    assert (row["runs"], row["cpu_seconds"], row["put_requests"], row["get_requests"]) == (
        2,
        100.0,
        4,
        2,
    )
    assert row["compute_usd"] == pytest.approx(0.1)  # 100 s at $0.001 per s
    assert row["total_usd"] == pytest.approx(0.1 + 0.004 + 0.001)


def test_the_committed_price_table_names_region_and_date() -> None:
    prices = load_prices()
    assert prices.region == "us-east-1" and date.fromisoformat(prices.read_on)
    assert prices.cpu_second == pytest.approx((0.04048 + 2 * 0.004445) / 3600)
