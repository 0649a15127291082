"""The ops group materialised over the demo history: every table holds the known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from tests.integration.observability.conftest import START, OpsLake, materialize_ops

from lakehouse.observability.assets import REGRESSION_CHECK
from lakehouse.observability.demo import sha


def test_the_ops_job_succeeds_and_writes_every_table(ops_lake: OpsLake) -> None:
    assert ops_lake.result.success
    for name in (
        "runs",
        "asset_events",
        "dora_daily",
        "sla_daily",
        "durations",
        "cost_daily",
        "storage",
    ):
        assert ops_lake.store.exists(["ops", name]), name


def test_runs_carry_the_code_version_tag(ops_lake: OpsLake) -> None:
    runs = ops_lake.table("runs")
    assert len(runs) == 23  # 21 daily runs, the fix and the rollback
    versions = {r["code_version"] for r in runs}
    assert versions == {sha(f"v{n}") for n in range(1, 6)}
    assert all(r["version_from_tag"] for r in runs)
    assert [r["status"] for r in runs].count("FAILURE") == 1


def test_dora_daily_has_the_known_figures(ops_lake: OpsLake) -> None:
    rows = {r["day"]: r for r in ops_lake.table("dora_daily")}
    assert sorted(rows) == [
        date(2026, 1, 2),
        date(2026, 1, 6),
        date(2026, 1, 12),
        date(2026, 1, 20),
    ]
    assert sum(r["deployments"] for r in rows.values()) == 5
    assert sum(r["failed_deployments"] for r in rows.values()) == 2
    broken = rows[date(2026, 1, 12)]  # v3 broke silver/orders, v4 fixed it the same morning
    assert (broken["deployments"], broken["failed_deployments"]) == (2, 1)
    assert broken["lead_time_median_hours"] == pytest.approx(9.0)  # v3 16 h, v4 2 h
    assert broken["restores"] == 1
    assert broken["time_to_restore_median_minutes"] == pytest.approx(481.5)


def test_sla_daily_marks_the_broken_and_the_late_day(ops_lake: OpsLake) -> None:
    orders = [r for r in ops_lake.table("sla_daily") if r["asset"] == "silver/orders"]
    assert len(orders) == 21 and sum(r["met"] for r in orders) == 19
    missed = {r["day"]: (r["status"], r["downtime_minutes"]) for r in orders if not r["met"]}
    assert missed == {date(2026, 1, 11): ("failed", 243.0), date(2026, 1, 15): ("late", 63.0)}
    customers = [r for r in ops_lake.table("sla_daily") if r["asset"] == "silver/customers"]
    # no deadline: due max_lag_hours (26) after the day, so the last day is not yet due
    assert len(customers) == 20 and all(r["met"] for r in customers)


def test_durations_flag_the_slow_day_and_the_warn_check_fails(ops_lake: OpsLake) -> None:
    regressions = [r for r in ops_lake.table("durations") if r["regression"]]
    assert [(r["asset"], r["partition"], r["factor"]) for r in regressions] == [
        ("silver/orders", "2026-01-17", 5.0)
    ]
    assert regressions[0]["likely_cause"].startswith("rows did not grow (1.04x")
    checks = ops_lake.result.get_asset_check_evaluations()
    check = next(c for c in checks if c.check_name == REGRESSION_CHECK)
    assert not check.passed and check.severity.value == "WARN"


def test_cost_daily_prices_a_day_of_silver_orders(ops_lake: OpsLake) -> None:
    row = next(
        r
        for r in ops_lake.table("cost_daily")
        if r["asset"] == "silver/orders" and r["day"] == date(2026, 1, 2)
    )
    assert (row["runs"], row["cpu_seconds"], row["bytes_added"], row["files_added"]) == (
        1,
        120.0,
        1005 * 100,
        2,
    )  # partition 2026-01-01: 1005 rows of 100 bytes
    assert (row["put_requests"], row["get_requests"]) == (3, 2)
    # 120 s x (1 vCPU x $0.04048 + 2 GB x $0.004445) / 3600, plus 3 PUTs and 2 GETs
    assert row["compute_usd"] == pytest.approx(120 * 0.04937 / 3600)
    assert row["total_usd"] == pytest.approx(120 * 0.04937 / 3600 + 3e-3 * 0.005 + 2e-3 * 4e-4)


def test_storage_lists_the_ops_tables_with_their_versions(ops_lake: OpsLake) -> None:
    rows = {r["table"]: r for r in ops_lake.table("storage")}
    runs = rows["ops/runs"]
    assert runs["versions"] == runs["version"] + 1
    assert runs["current_bytes"] > 0 and runs["all_bytes"] >= runs["current_bytes"]


def test_a_second_materialisation_reads_only_new_runs(ops_lake: OpsLake) -> None:
    result = materialize_ops(ops_lake.settings, ops_lake.instance)
    assert result.success
    meta = result.asset_materializations_for_node("ops_runs")[0].metadata
    # only the first ops_health run itself finished since the previous collection
    assert meta["new_runs"].value == 1
    assert len(ops_lake.table("runs")) == 24
    checks = result.get_asset_check_evaluations()
    assert next(c for c in checks if c.check_name == REGRESSION_CHECK).passed
    assert datetime.now(UTC) > datetime.combine(START, datetime.min.time(), tzinfo=UTC)
