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


def _steps() -> dict[str, Any]:
    @dg.asset(key=["bronze", "orders"])
    def bronze_orders() -> None: ...

    @dg.asset(key=["silver", "orders"], deps=[bronze_orders])
    def silver_orders() -> None: ...

    @dg.asset(key=["gold", "orders_daily"], deps=[silver_orders])
    def mart() -> None: ...

    defs = dg.Definitions(
        assets=[bronze_orders, silver_orders, mart],
        jobs=[dg.define_asset_job("all", selection="*")],
    )
    plan = create_execution_plan(defs.resolve_job_def("all"))
    return {step.key: step for step in plan.get_all_steps_in_topo_order()}


def _context(tags: dict[str, str]) -> Any:
    return cast(Any, SimpleNamespace(dagster_run=SimpleNamespace(tags=tags)))


def test_bronze_and_silver_steps_weigh_their_source_and_others_run_alone(tmp_path: Path) -> None:
    weigh_for = landing_weights(str(_landing(tmp_path)), load_sources(), None)
    steps = _steps()
    weigh = weigh_for(_context({"dagster/partition": "2024-01-01"}))
    assert weigh(steps["bronze__orders"]) == 150
    assert weigh(steps["silver__orders"]) == 150
    assert weigh(steps["gold__orders_daily"]) is None
    unpartitioned = weigh_for(_context({}))
    assert unpartitioned(steps["bronze__orders"]) is None
