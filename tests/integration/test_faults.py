"""Every generator fault through bronze and silver: outcome, row accounting, error text."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pyarrow.compute as pc
import pytest

from lakehouse.bronze.ingest import ingest_partition
from lakehouse.datagen import FAULTS, generate
from lakehouse.definitions import build_definitions
from lakehouse.lake import DeltaStore
from lakehouse.settings import load_settings
from lakehouse.silver.refine import refine_partition
from lakehouse.sources import LANDING_DATE, load_sources

from .conftest import DAYS, START, Lakehouse

CLEAN, FAULTY = DAYS
PUBLISHED, BLOCKED_AT_BRONZE = "published", "blocked at bronze"
EXPECTED = {
    "null_keys": (PUBLISHED, "null: order_id is required"),
    "duplicate_delivery": (PUBLISHED, "duplicate"),
    "unknown_enum": (PUBLISHED, "accepted_values: status not accepted"),
    "negative_amount": (PUBLISHED, "range: order_total < 0"),
    "late_rows": (PUBLISHED, None),
    "schema_drift_additive": (PUBLISHED, None),
    "schema_drift_breaking": (
        BLOCKED_AT_BRONZE,
        "column 'order_total': expected decimal(12,2), found no such column",
    ),
    "truncated_file": (BLOCKED_AT_BRONZE, "landing_files_budget"),
    "corrupt_file": (PUBLISHED, None),
    "empty_file": (PUBLISHED, None),
}


def test_every_fault_has_an_expected_outcome() -> None:
    assert set(EXPECTED) == set(FAULTS)


def _lakehouse_with_faulty_orders(tmp_path: Path, fault: str) -> Lakehouse:
    """Two clean days, then day 2's orders replaced by the same day generated with ``fault``."""
    clean, faulty = tmp_path / "landing", tmp_path / "faulty"
    generate(str(clean), START, len(DAYS), 80, seed=7)
    generate(str(faulty), START, len(DAYS), 80, faults=[fault], seed=7)
    day_folder = Path("orders") / FAULTY.isoformat()
    shutil.rmtree(clean / day_folder)
    shutil.copytree(faulty / day_folder, clean / day_folder)
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "LAKEHOUSE_LANDING": str(clean)}
    )
    return Lakehouse(settings, build_definitions(settings), dg.DagsterInstance.ephemeral())


def _run(lakehouse: Lakehouse, day: date, gold: bool = False) -> dg.ExecuteInProcessResult:
    """The daily job for ``day``; bronze and silver only unless ``gold``."""
    job = lakehouse.defs.resolve_job_def("daily_lakehouse")
    graph = lakehouse.defs.resolve_asset_graph()
    layers = ("bronze", "silver", "gold") if gold else ("bronze", "silver")
    keys = [k for k in graph.get_all_asset_keys() if k.path[0] in layers]
    selected = [
        k for k in keys if graph.get(k).is_executable and k in job.asset_layer.executable_asset_keys
    ]
    return job.execute_in_process(
        partition_key=day.isoformat(),
        instance=lakehouse.instance,
        raise_on_error=False,
        asset_selection=selected,
    )


def _rows(store: DeltaStore, key: list[str], day: date) -> int:
    if not store.exists(key):
        return 0
    return store.read(key, filter_column=LANDING_DATE, filter_value=day).num_rows


def _failure_text(result: dg.ExecuteInProcessResult) -> str:
    return "\n".join(
        e.step_failure_data.error.message
        for e in result.all_events
        if e.is_step_failure and e.step_failure_data.error
    )


@pytest.mark.parametrize("fault", sorted(EXPECTED))
def test_fault_outcome_and_row_accounting(tmp_path: Path, fault: str) -> None:
    lakehouse = _lakehouse_with_faulty_orders(tmp_path, fault)
    assert _run(lakehouse, CLEAN).success
    store = DeltaStore(lakehouse.settings.root)
    silver_version = store.table(["silver", "orders"]).version()
    bronze_version = store.table(["bronze", "orders"]).version()

    result = _run(lakehouse, FAULTY)
    outcome, reason = EXPECTED[fault]

    bronze_rows = _rows(store, ["bronze", "orders"], FAULTY)
    file_rows = store.read(
        ["quarantine", "orders_files"], filter_column=LANDING_DATE, filter_value=FAULTY
    )
    rejected_file_rows = pc.sum(file_rows.column("rows")).as_py() or 0
    events = {
        e.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    if outcome == BLOCKED_AT_BRONZE:
        assert not result.success
        assert reason in _failure_text(result)
        assert store.table(["bronze", "orders"]).version() == bronze_version
        assert store.table(["silver", "orders"]).version() == silver_version
        assert _rows(store, ["silver", "orders"], FAULTY) == 0
        assert "silver/orders" not in events
        assert rejected_file_rows > 0
        return

    assert "silver/orders" in events, _failure_text(result)
    bronze_meta, silver_meta = events["bronze/orders"], events["silver/orders"]
    assert bronze_meta["landed_rows"].value == bronze_rows + rejected_file_rows
    quarantined = store.read(
        ["quarantine", "orders"], filter_column=LANDING_DATE, filter_value=FAULTY
    )
    published = _rows(store, ["silver", "orders"], FAULTY)
    assert published + quarantined.num_rows == bronze_rows
    assert silver_meta["published_rows"].value == published
    assert silver_meta["quarantined_rows"].value == quarantined.num_rows
    if reason:
        assert reason in set(quarantined.column("reason").to_pylist())
    assert _rows(store, ["silver", "orders"], CLEAN) > 0


def test_blocked_silver_publishes_nothing_and_keeps_the_quarantine(tmp_path: Path) -> None:
    """Over budget at silver: quarantine written, silver and its dependants untouched."""
    lakehouse = _lakehouse_with_faulty_orders(tmp_path, "unknown_enum")
    settings = lakehouse.settings
    assert _run(lakehouse, CLEAN).success
    store = DeltaStore(settings.root)
    version = store.table(["silver", "orders"]).version()
    orders = {s.name: s for s in load_sources()}["orders"]
    strict = orders.model_copy(
        update={"quality": orders.quality.model_copy(update={"error_budget": 0.0})}
    )
    ingest_partition(store, settings.landing, strict, FAULTY, datetime.now(UTC))
    outcome = refine_partition(store, strict, FAULTY, "k")
    assert outcome.blocked
    assert [o.name for o in outcome.outcomes if o.blocking and not o.passed] == ["error_budget"]
    assert store.table(["silver", "orders"]).version() == version
    assert _rows(store, ["silver", "orders"], FAULTY) == 0
    assert _rows(store, ["quarantine", "orders"], FAULTY) > 0


def test_blocked_orders_stop_their_dependants(tmp_path: Path) -> None:
    lakehouse = _lakehouse_with_faulty_orders(tmp_path, "schema_drift_breaking")
    assert _run(lakehouse, CLEAN, gold=True).success
    store = DeltaStore(lakehouse.settings.root)
    items = store.table(["silver", "order_items"]).version()
    gold = store.table(["gold", "orders_daily"]).version()
    result = _run(lakehouse, FAULTY, gold=True)
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "bronze__orders" in started
    assert not {"silver__orders", "silver__order_items", "silver__payments"} & started
    assert "gold_daily_marts" not in started
    assert store.table(["silver", "order_items"]).version() == items
    assert store.table(["gold", "orders_daily"]).version() == gold
