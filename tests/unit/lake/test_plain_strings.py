"""Every store write leaves files pyarrow and DuckDB can filter on any column (no string_view)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from lakehouse.lake import DeltaStore, PartitionMismatchError

PRODUCTS = ["silver", "products"]
ORDERS = ["silver", "orders"]
DAY1, DAY2, DAY3 = dt.date(2026, 1, 1), dt.date(2026, 1, 2), dt.date(2026, 1, 3)


def products(ids: list[str], names: list[str], updated: list[int]) -> pa.Table:
    return pa.table(
        {
            "product_id": pa.array(ids, pa.string()),
            "name": pa.array(names, pa.string()),
            "updated_at": pa.array(updated, pa.int64()),
        }
    )


def orders(day: dt.date, ids: list[str]) -> pa.Table:
    return pa.table(
        {"order_id": pa.array(ids, pa.string()), "_landing_date": pa.array([day] * len(ids))}
    )


def file_types(store: DeltaStore, key: list[str]) -> set[str]:
    """The Arrow types of every string column, as embedded in each live parquet file."""
    root = Path(store.uri(key))
    types = set()
    for path in store.table(key).file_uris():
        schema = pq.read_schema(root / Path(path).relative_to(root))
        types |= {str(f.type) for f in schema if "string" in str(f.type)}
    return types


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    return DeltaStore(str(tmp_path / "lake"))


def test_a_merged_table_is_filterable_on_every_column(store: DeltaStore) -> None:
    # Before: delta-rs's merge wrote string_view files, and this filter raised
    # "Function 'equal' has no kernel matching input types (string, string_view)".
    store.merge(PRODUCTS, products(["P1", "P2"], ["a", "b"], [1, 1]), ["product_id"])
    store.merge(PRODUCTS, products(["P2", "P3"], ["b2", "c"], [2, 3]), ["product_id"], "updated_at")

    assert file_types(store, PRODUCTS) == {"string"}
    dataset = store.dataset(PRODUCTS)
    con = duckdb.connect()
    con.register("products", dataset)
    for column, value in (("product_id", "P2"), ("name", "b2"), ("updated_at", 2)):
        filtered = dataset.to_table(filter=pc.field(column) == value)
        assert filtered.column("product_id").to_pylist() == ["P2"]
        found = con.execute(f"select product_id from products where {column} = ?", [value])
        assert found.fetchall() == [("P2",)]


def test_merge_adds_new_columns_and_keeps_partitioning(store: DeltaStore) -> None:
    first = products(["P1"], ["a"], [1]).append_column("day", pa.array([DAY1]))
    store.merge(PRODUCTS, first, ["product_id"], partition_by=["day"])
    second = products(["P2"], ["b"], [1]).append_column("day", pa.array([DAY2]))
    second = second.append_column("colour", pa.array(["red"]))
    result = store.merge(PRODUCTS, second, ["product_id"])

    assert store.table(PRODUCTS).metadata().partition_columns == ["day"]
    assert store.read(PRODUCTS).sort_by("product_id").column("colour").to_pylist() == [None, "red"]
    assert (result.rows, result.rows_inserted, result.rows_updated) == (1, 1, 0)


def test_replace_partitions_replaces_exactly_the_named_days(store: DeltaStore) -> None:
    for day, ids in ((DAY1, ["O1", "O2"]), (DAY2, ["O3"]), (DAY3, ["O4"])):
        store.replace_partition(ORDERS, orders(day, ids), "_landing_date", day)
    incoming = pa.concat_tables([orders(DAY1, ["O2"]), orders(DAY3, ["O5", "O6"])])

    result = store.replace_partitions(ORDERS, incoming, "_landing_date", [DAY3, DAY1])

    table = store.read(ORDERS).sort_by("order_id")
    assert table.column("order_id").to_pylist() == ["O2", "O3", "O5", "O6"]
    assert (result.operation, result.rows_inserted, result.rows_deleted) == (
        "replace_partitions",
        3,
        3,
    )
    assert file_types(store, ORDERS) == {"string"}


def test_replace_partitions_refuses_rows_outside_the_days(store: DeltaStore) -> None:
    store.replace_partition(ORDERS, orders(DAY1, ["O1"]), "_landing_date", DAY1)
    with pytest.raises(PartitionMismatchError, match="outside the partitions replaced"):
        store.replace_partitions(ORDERS, orders(DAY2, ["O2"]), "_landing_date", [DAY1, DAY3])
    with pytest.raises(ValueError, match="at least one partition"):
        store.replace_partitions(ORDERS, orders(DAY1, []), "_landing_date", [])
    assert store.table(ORDERS).version() == 0
