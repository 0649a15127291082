"""Streamed writes: batches written as produced, a producer's exception aborts the commit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.lake import DeltaStore, chunked
from lakehouse.lake.checks import PartitionMismatchError
from lakehouse.lake.retry import RetryPolicy
from lakehouse.lake.streams import BatchStream

SCHEMA = pa.schema([("id", pa.int64()), ("day", pa.date32())])
DAY = date(2026, 1, 2)


class Refused(Exception):
    """What a producer raises to stop the publish."""


def _batches(day: date, count: int, fail: bool = False) -> Iterator[pa.RecordBatch]:
    for start in range(0, count, 10):
        ids = pa.array(range(start, min(start + 10, count)), pa.int64())
        yield pa.record_batch([ids, pa.repeat(pa.scalar(day), len(ids))], schema=SCHEMA)
    if fail:
        raise Refused("the last batch showed the day is bad")


def test_a_stream_replaces_the_partition_and_counts_its_rows(tmp_path: Path) -> None:
    store = DeltaStore(str(tmp_path))
    store.replace_partition(["t"], pa.table({"id": [99], "day": [DAY]}, SCHEMA), "day", DAY)
    result = store.replace_partition(
        ["t"], BatchStream(SCHEMA, lambda: _batches(DAY, 35)), "day", DAY
    )
    assert result.rows == result.rows_inserted == 35 and result.rows_deleted == 1
    assert sorted(store.read(["t"]).column("id").to_pylist()) == list(range(35))


def test_a_producer_that_raises_aborts_the_write_with_its_own_error(tmp_path: Path) -> None:
    store = DeltaStore(str(tmp_path))
    store.replace_partition(["t"], pa.table({"id": [99], "day": [DAY]}, SCHEMA), "day", DAY)
    stream = BatchStream(SCHEMA, lambda: _batches(DAY, 35, fail=True))
    with pytest.raises(Refused, match="the day is bad"):
        store.replace_partitions(["t"], stream, "day", [DAY])
    assert store.read(["t"]).column("id").to_pylist() == [99]
    assert store.table(["t"]).version() == 0


def test_a_streamed_row_outside_the_partition_aborts_the_write(tmp_path: Path) -> None:
    store = DeltaStore(str(tmp_path))
    stream = BatchStream(SCHEMA, lambda: _batches(date(2026, 1, 3), 5))
    with pytest.raises(PartitionMismatchError, match="outside the partition"):
        store.replace_partition(["t"], stream, "day", DAY)
    assert not store.exists(["t"])


def test_a_stream_is_written_in_chunks_and_committed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunked, "CHUNK_ROWS", 10)
    store = DeltaStore(str(tmp_path))
    other = date(2026, 1, 1)
    store.replace_partition(["t"], pa.table({"id": [7], "day": [other]}, SCHEMA), "day", other)
    store.replace_partition(["t"], pa.table({"id": [99], "day": [DAY]}, SCHEMA), "day", DAY)
    version = store.table(["t"]).version()
    stream = BatchStream(SCHEMA, lambda: _batches(DAY, 35))
    result = store.replace_partitions(["t"], stream, "day", [DAY])
    assert store.table(["t"]).version() == result.version == version + 1
    assert result.files_added == 4 and result.rows == 35  # 4 chunks, one commit
    rows = store.read(["t"]).to_pylist()
    assert sorted(r["id"] for r in rows if r["day"] == DAY) == list(range(35))
    assert [r["id"] for r in rows if r["day"] == other] == [7]
    staged = [p for p in tmp_path.glob("t/streamed-*/**/*") if "_delta_log" in str(p)]
    assert staged == []  # the staging table's log is gone, its data files are the table's


def test_a_chunked_write_that_fails_leaves_no_commit_and_no_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunked, "CHUNK_ROWS", 10)
    store = DeltaStore(str(tmp_path))
    stream = BatchStream(SCHEMA, lambda: _batches(DAY, 35, fail=True))
    with pytest.raises(Refused):
        store.replace_partition(["t"], stream, "day", DAY)
    assert not store.exists(["t"])
    assert not list(tmp_path.glob("t/streamed-*"))


def test_a_partition_changed_by_another_writer_meanwhile_is_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction sees no conflict on its own: the chunked write checks for one and the
    store's retry writes the day again, so the day is never held twice."""
    monkeypatch.setattr(chunked, "CHUNK_ROWS", 10)
    store, other = DeltaStore(str(tmp_path)), DeltaStore(str(tmp_path))
    store.retry_policy = RetryPolicy(attempts=3, base_delay=0, max_delay=0)
    before = date(2026, 1, 1)  # the table exists; the day replaced is empty (nothing to remove)
    store.replace_partition(["t"], pa.table({"id": [7], "day": [before]}, SCHEMA), "day", before)
    attempts = []

    def produce() -> Iterator[pa.RecordBatch]:
        attempts.append(1)
        if len(attempts) == 1:  # another writer replaces the same day while this one writes
            rival = pa.table({"id": [500], "day": [DAY]}, SCHEMA)
            other.replace_partition(["t"], rival, "day", DAY)
        yield from _batches(DAY, 25)

    store.replace_partition(["t"], BatchStream(SCHEMA, produce), "day", DAY)
    assert len(attempts) == 2
    day = store.read(["t"], filter_column="day", filter_value=DAY)
    assert sorted(day.column("id").to_pylist()) == list(range(25))
    assert not [p for p in tmp_path.glob("t/streamed-*/_delta_log")]


def _day_table(day: date, count: int) -> pa.Table:
    return pa.Table.from_batches(list(_batches(day, count)), SCHEMA)


def test_a_write_waits_for_before_commit_between_its_files_and_its_commit(
    tmp_path: Path,
) -> None:
    store = DeltaStore(str(tmp_path))
    store.replace_partitions(["t"], _day_table(DAY, 5), "day", [DAY])
    seen: list[tuple[int, int]] = []

    def before_commit() -> None:  # the files are written, the table not yet changed
        staged = len(list(tmp_path.glob("t/streamed-*/**/*.parquet")))
        seen.append((store.table(["t"]).version(), staged))

    result = store.replace_partitions(
        ["t"], _day_table(DAY, 35), "day", [DAY], before_commit=before_commit
    )

    assert seen == [(0, 1)]
    assert result.version == 1
    assert store.read(["t"]).num_rows == 35


def test_what_before_commit_raises_aborts_the_write_and_leaves_no_files(
    tmp_path: Path,
) -> None:
    store = DeltaStore(str(tmp_path))
    store.replace_partitions(["t"], _day_table(DAY, 5), "day", [DAY])

    def history_failed() -> None:
        raise Refused("the table that commits first failed")

    with pytest.raises(Refused):
        store.replace_partitions(
            ["t"], _day_table(DAY, 35), "day", [DAY], before_commit=history_failed
        )
    assert store.table(["t"]).version() == 0
    assert store.read(["t"]).num_rows == 5
    assert not list(tmp_path.glob("t/streamed-*"))
