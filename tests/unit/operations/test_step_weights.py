"""A step's weight for the threaded executor: its source's largest landed day of the run."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import dagster as dg
from dagster._core.execution.api import create_execution_plan

from lakehouse.operations.step_weights import landing_weights, largest_day_bytes, run_days
from lakehouse.sources import load_sources

DAY_1, DAY_2 = date(2024, 1, 1), date(2024, 1, 2)


def _land(root: Path, relative: str, size: int) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)


def _landing(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    _land(landing, "orders/2024-01-01/a.jsonl", 100)
    _land(landing, "orders/2024-01-01/b.jsonl", 50)
    _land(landing, "orders/2024-01-02/a.jsonl", 400)
    _land(landing, "orders/2024-01-05/a.jsonl", 9000)  # outside the run
    _land(landing, "orders/2024-01-02/notes.txt", 7000)  # not a declared landing file
    _land(landing, "web_events/2024-01-01/a.jsonl", 10)
    return landing


def test_the_days_of_a_run_come_from_its_partition_or_range_tags() -> None:
    assert run_days({"dagster/partition": "2024-01-02"}) == [DAY_2]
    span = {
        "dagster/asset_partition_range_start": "2024-01-01",
        "dagster/asset_partition_range_end": "2024-01-03",
    }
    assert run_days(span) == [DAY_1, DAY_2, date(2024, 1, 3)]
    assert run_days({}) is None
    assert run_days({"dagster/partition": "eu-west"}) is None


def test_a_source_weighs_its_largest_day_of_the_run(tmp_path: Path) -> None:
    found = largest_day_bytes(str(_landing(tmp_path)), load_sources(), [DAY_1, DAY_2], None)
    assert found["orders"] == 400
    assert found["web_events"] == 10
    assert found["customers"] == 0


DAILY = dg.DailyPartitionsDefinition(start_date="2024-01-01")


def _job() -> dg.JobDefinition:
    """bronze → silver for orders and customers; a daily mart reading silver orders directly
    and customers through a view (an external asset, as dbt's staging models); a
    whole-history mart and a daily asset downstream of it."""

    @dg.asset(key=["bronze", "orders"], partitions_def=DAILY)
    def bronze_orders() -> None: ...

    @dg.asset(key=["silver", "orders"], deps=[bronze_orders], partitions_def=DAILY)
    def silver_orders() -> None: ...

    @dg.asset(key=["silver", "customers"], partitions_def=DAILY)
    def silver_customers() -> None: ...

    view = dg.AssetSpec(["staging", "stg_customers"], deps=[silver_customers])

    @dg.asset(key=["gold", "orders_daily"], deps=[silver_orders, view], partitions_def=DAILY)
    def mart() -> None: ...

    @dg.asset(key=["gold", "lifetime"], deps=[silver_orders])
    def history() -> None: ...

    @dg.asset(key=["ml", "scores"], deps=[history], partitions_def=DAILY)
    def scores() -> None: ...

    defs = dg.Definitions(
        assets=[bronze_orders, silver_orders, silver_customers, view, mart, history, scores],
        jobs=[dg.define_asset_job("all", selection=dg.AssetSelection.all())],
    )
    return defs.resolve_job_def("all")


def _steps(job: dg.JobDefinition) -> dict[str, Any]:
    plan = create_execution_plan(job, tags={"dagster/partition": "2024-01-01"})
    return {step.key: step for step in plan.get_all_steps_in_topo_order()}


def _context(job: dg.JobDefinition, tags: dict[str, str]) -> Any:
    return cast(
        Any,
        SimpleNamespace(
            dagster_run=SimpleNamespace(tags=tags), job=SimpleNamespace(get_definition=lambda: job)
        ),
    )


def test_bronze_and_silver_steps_weigh_their_source_and_daily_marts_theirs(
    tmp_path: Path,
) -> None:
    landing = _landing(tmp_path)
    _land(landing, "customers/2024-01-01/a.csv", 30)
    weigh_for = landing_weights(str(landing), load_sources(), None)
    job = _job()
    steps = _steps(job)
    weigh = weigh_for(_context(job, {"dagster/partition": "2024-01-01"}))
    assert weigh(steps["bronze__orders"]) == 150
    assert weigh(steps["silver__orders"]) == 150
    assert weigh(steps["gold__orders_daily"]) == 150 + 30  # orders, and customers via the view
    assert weigh(steps["gold__lifetime"]) is None  # whole history: alone
    assert weigh(steps["ml__scores"]) is None  # reads a whole-history asset: alone
    unpartitioned = weigh_for(_context(job, {}))
    assert unpartitioned(steps["bronze__orders"]) is None
    assert unpartitioned(steps["gold__orders_daily"]) is None
