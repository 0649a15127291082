"""Materialisation metadata: a table's row count is its rows, lineage columns are described."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from lakehouse.bronze.assets import build_bronze_asset
from lakehouse.lake import DeltaStore
from lakehouse.lake.metadata import LINEAGE_COLUMNS, table_rows, write_metadata
from lakehouse.landing.partitions import daily_partitions
from lakehouse.silver.assets import build_silver_asset
from lakehouse.sources import load_sources

DAY, NEXT = date(2026, 11, 20), date(2026, 11, 21)


def _customers(ids: range, updated: int) -> pa.Table:
    return pa.table({"customer_id": [f"C{i}" for i in ids], "updated_at": [updated] * len(ids)})


def test_a_merge_reports_the_tables_rows_and_the_rows_it_merged(tmp_path: Path) -> None:
    store = DeltaStore(str(tmp_path))
    store.merge(["silver", "customers"], _customers(range(800), 1), keys=["customer_id"])
    result = store.merge(
        ["silver", "customers"],
        _customers(range(770, 840), 2),
        keys=["customer_id"],
        newer_column="updated_at",
    )
    rows = table_rows(store, ["silver", "customers"])
    metadata = write_metadata(result, _customers(range(1), 1).schema, datetime.now(UTC), rows)
    assert metadata["dagster/row_count"] == 840
    assert metadata["rows_merged"] == 70


def test_table_rows_counts_one_landing_day_from_the_log(tmp_path: Path) -> None:
    store = DeltaStore(str(tmp_path))
    rows = pa.table({"id": [1, 2, 3], "_landing_date": [DAY, DAY, NEXT]})
    store.overwrite(["silver", "orders"], rows, partition_by=["_landing_date"])
    assert table_rows(store, ["silver", "orders"]) == 3
    assert table_rows(store, ["silver", "orders"], DAY) == 2
    assert table_rows(store, ["silver", "orders"], NEXT) == 1


def test_bronze_and_silver_describe_their_lineage_columns() -> None:
    partitions = daily_partitions(DAY)
    spec = next(s for s in load_sources() if s.name == "orders")
    for asset in (build_bronze_asset(spec, partitions), build_silver_asset(spec, partitions)):
        schema = next(iter(asset.metadata_by_key.values()))["dagster/column_schema"]
        described = {c.name: c.description for c in schema.columns if c.name in LINEAGE_COLUMNS}
        assert set(described) == set(LINEAGE_COLUMNS) - (
            {"_landing_date"} if "_landing_date" not in {c.name for c in schema.columns} else set()
        )
        assert all(described.values()), described
