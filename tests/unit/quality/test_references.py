"""Referential integrity: dangling keys are counted exactly, scanning only the files in range."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.lake import DeltaStore
from lakehouse.quality.trends import check_references, key_range
from lakehouse.sources import load_sources

SOURCES = {s.name: s for s in load_sources()}
PAYMENTS = SOURCES["payments"]
ORDERS_BY_DAY = {
    date(2026, 1, 1): ["O0001", "O0002", "O0003"],
    date(2026, 1, 2): ["O0004", "O0005", None],
}


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    store = DeltaStore(str(tmp_path / "lake"))
    for day, ids in ORDERS_BY_DAY.items():
        orders = pa.table(
            {"order_id": pa.array(ids, pa.string()), "_landing_date": pa.array([day] * 3)}
        )
        store.replace_partition(["silver", "orders"], orders, "_landing_date", day)
    return store


def payments(*order_ids: str | None) -> pa.Table:
    return pa.table({"order_id": pa.array(order_ids, pa.string())})


def test_every_key_found_passes(store: DeltaStore) -> None:
    outcome = check_references(store, PAYMENTS, payments("O0001", "O0005", None))
    assert outcome is not None
    assert outcome.passed
    assert outcome.failing_rows == 0


def test_dangling_keys_are_counted_and_sampled_despite_a_null_target(store: DeltaStore) -> None:
    # The referenced table holds a null key: a NOT IN lookup would then find nothing dangling.
    outcome = check_references(store, PAYMENTS, payments("O0002", "O0009", "O0000", "O0009"))
    assert outcome is not None
    assert not outcome.passed
    assert not outcome.blocking
    assert outcome.failing_rows == 3
    assert {row["order_id"] for row in outcome.sample} == {"O0009", "O0000"}


def test_missing_referenced_table_is_named(tmp_path: Path) -> None:
    outcome = check_references(DeltaStore(str(tmp_path / "empty")), PAYMENTS, payments("O1"))
    assert outcome is not None
    assert "not yet materialised: orders" in outcome.description


def test_key_range_skips_files_outside_the_days_keys(store: DeltaStore) -> None:
    dataset = store.dataset(["silver", "orders"])
    where = key_range(
        payments("O0005", "O0004").column("order_id"), dataset.schema.field("order_id")
    )
    assert len(list(dataset.get_fragments())) == 2
    assert len(list(dataset.get_fragments(filter=where))) == 1


def test_key_range_of_only_nulls_is_no_filter() -> None:
    assert (
        key_range(payments(None, None).column("order_id"), pa.field("order_id", pa.string()))
        is None
    )


def test_a_merged_dimension_is_looked_up_too(tmp_path: Path) -> None:
    store = DeltaStore(str(tmp_path / "lake"))
    for ids in (["C1", "C2"], ["C2", "C3"]):
        customers = pa.table({"customer_id": ids, "updated_at": [1, 2]})
        store.merge(["silver", "customers"], customers, keys=["customer_id"])
    orders = pa.table({"customer_id": ["C1", "C3", "C4"]})
    outcome = check_references(store, SOURCES["orders"], orders)
    assert outcome is not None
    assert outcome.failing_rows == 1
    assert outcome.sample == [{"customer_id": "C4"}]
