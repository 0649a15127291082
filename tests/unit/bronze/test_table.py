"""Bronze: landed files concatenated, as landed, with lineage columns."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from lakehouse.bronze.table import bronze_stats_columns, to_bronze
from lakehouse.landing.files import LandedFile
from lakehouse.sources import LANDING_DATE, load_sources

NOW = datetime(2026, 1, 3, 6, 0, tzinfo=UTC)


def test_files_are_concatenated_with_lineage_columns() -> None:
    first = LandedFile("land/a.jsonl", pa.table({"id": ["1", "2"]}), 10)
    second = LandedFile("land/b.jsonl", pa.table({"id": ["3"], "coupon": ["X"]}), 10)
    table = to_bronze([first, second], date(2026, 1, 2), NOW)
    assert table.column_names == ["id", "coupon", "_source_file", "_ingested_at", "_landing_date"]
    assert table.column("coupon").to_pylist() == [None, None, "X"]
    assert table.column("_source_file").to_pylist() == ["land/a.jsonl"] * 2 + ["land/b.jsonl"]
    assert set(table.column("_landing_date").to_pylist()) == {date(2026, 1, 2)}
    assert set(table.column("_ingested_at").to_pylist()) == {NOW}


def test_no_files_gives_an_empty_table() -> None:
    assert to_bronze([], date(2026, 1, 2), NOW).num_rows == 0


def test_naive_ingestion_time_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        to_bronze([], date(2026, 1, 2), datetime(2026, 1, 3))


def test_bronze_keeps_statistics_on_every_column_but_pii() -> None:
    sources = {s.name: s for s in load_sources()}
    customers = bronze_stats_columns(sources["customers"])
    assert customers is not None
    assert not {"name", "email", "phone"} & set(customers)
    assert {"customer_id", "country", "_source_file", LANDING_DATE} <= set(customers)
    assert bronze_stats_columns(sources["orders"]) is None  # no PII: Delta's default
