"""Streaming reads: a scan gives ``read``'s rows in the same order on every pass, and every
file the store writes has row groups small enough to stream."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from lakehouse.lake import DeltaStore, PartitionPredicateError
from lakehouse.lake.stats import ROW_GROUP_ROWS

EVENTS = ["bronze", "events"]
DAY1, DAY2 = dt.date(2026, 1, 1), dt.date(2026, 1, 2)


def events(day: dt.date, first: int, count: int) -> pa.Table:
    return pa.table(
        {
            "event_id": pa.array(range(first, first + count), pa.int64()),
            "_landing_date": pa.array([day] * count, pa.date32()),
        }
    )


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    store = DeltaStore(str(tmp_path / "lake"))
    store.append(EVENTS, events(DAY1, 0, ROW_GROUP_ROWS + 10), partition_by=["_landing_date"])
    store.append(EVENTS, events(DAY1, 10**6, 5))  # a second file in the same partition
    store.append(EVENTS, events(DAY2, 2 * 10**6, 3))
    return store


def test_a_scan_gives_the_filtered_rows_in_the_same_order_on_every_pass(store: DeltaStore) -> None:
    scan = store.scan(EVENTS, filter_column="_landing_date", filter_value=DAY1)
    passes = [pa.concat_arrays([b.column("event_id") for b in scan.to_batches()]) for _ in range(3)]
    assert passes[0].equals(passes[1]) and passes[1].equals(passes[2])
    read = store.read(EVENTS, filter_column="_landing_date", filter_value=DAY1)
    assert sorted(passes[0].to_pylist()) == sorted(read.column("event_id").to_pylist())
    assert len(passes[0]) == ROW_GROUP_ROWS + 15


def test_a_scan_filters_further_and_checks_its_value_like_read(store: DeltaStore) -> None:
    scan = store.scan(EVENTS, columns=["event_id"], where=pc.field("event_id") >= 10**6)
    assert sorted(scan.to_table().column("event_id").to_pylist()) == [
        *range(10**6, 10**6 + 5),
        *range(2 * 10**6, 2 * 10**6 + 3),
    ]
    with pytest.raises(PartitionPredicateError):
        store.scan(EVENTS, filter_column="_landing_date", filter_value="not a date")


def test_written_files_have_row_groups_of_at_most_row_group_rows(store: DeltaStore) -> None:
    files = store.table(EVENTS).file_uris()
    groups = [
        pq.ParquetFile(f.removeprefix("file://")).metadata.row_group(i).num_rows
        for f in files
        for i in range(pq.ParquetFile(f.removeprefix("file://")).metadata.num_row_groups)
    ]
    assert max(groups) == ROW_GROUP_ROWS  # the large day's file is cut, not one group
    assert sum(groups) == ROW_GROUP_ROWS + 18
