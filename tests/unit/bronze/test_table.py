"""Bronze: landed rows as landed, in the day's columns, with lineage columns."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from lakehouse.bronze.intake import IntakeStream
from lakehouse.bronze.table import bronze_rows, bronze_stats_columns
from lakehouse.sources import LANDING_DATE, load_sources

NOW = datetime(2026, 1, 3, 6, 0, tzinfo=UTC)
SOURCES = {s.name: s for s in load_sources()}


def test_rows_get_the_columns_in_order_and_lineage_columns() -> None:
    landed = pa.table({"id": ["1", "2"]})
    table = bronze_rows(landed, ["id", "coupon"], "land/a.jsonl", date(2026, 1, 2), NOW)
    assert table.column_names == ["id", "coupon", "_source_file", "_ingested_at", "_landing_date"]
    assert table.column("coupon").to_pylist() == [None, None]
    assert table.column("_source_file").to_pylist() == ["land/a.jsonl"] * 2
    assert set(table.column("_landing_date").to_pylist()) == {date(2026, 1, 2)}
    assert set(table.column("_ingested_at").to_pylist()) == {NOW}


def test_no_rows_gives_an_empty_table() -> None:
    empty = pa.table({"id": pa.array([], pa.string())})
    assert bronze_rows(empty, ["id"], "land/a.jsonl", date(2026, 1, 2), NOW).num_rows == 0


def test_naive_ingestion_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        IntakeStream({date(2026, 1, 2): []}, SOURCES["orders"], datetime(2026, 1, 3))


def test_bronze_keeps_statistics_on_every_column_but_pii() -> None:
    customers = bronze_stats_columns(SOURCES["customers"])
    assert customers is not None
    assert not {"name", "email", "phone"} & set(customers)
    assert {"customer_id", "country", "_source_file", LANDING_DATE} <= set(customers)
    assert bronze_stats_columns(SOURCES["orders"]) is None  # no PII: Delta's default
