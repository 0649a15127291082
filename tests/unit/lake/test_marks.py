"""Commit marks hold only for the commit that came straight after the snapshot they name."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.lake import DeltaStore
from lakehouse.lake.marks import carries, snapshot_mark
from lakehouse.lake.streams import BatchStream

MARK = "lakehouse.test_mark"
KEY = ["silver", "facts"]


def _day(day: date, ids: list[int]) -> pa.Table:
    return pa.table({"id": pa.array(ids, pa.int64()), "day": pa.array([day] * len(ids))})


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    return DeltaStore(str(tmp_path))


def _marked_write(store: DeltaStore, rows: pa.Table | BatchStream, day: date, mark: str) -> None:
    store.replace_partitions(KEY, rows, "day", [day], None, {MARK: mark})


def _carries(store: DeltaStore) -> bool:
    return carries(store.table(KEY), MARK, store.storage_options)


def test_a_table_created_by_the_checked_commit_carries_its_mark(store: DeltaStore) -> None:
    _marked_write(store, _day(date(2026, 1, 1), [1, 2]), date(2026, 1, 1), snapshot_mark(None))

    assert store.table(KEY).version() == 0
    assert _carries(store)
    assert not carries(store.table(KEY), "lakehouse.other_mark", store.storage_options)


def test_the_next_commit_of_the_checked_snapshot_carries_it_streamed_or_not(
    store: DeltaStore,
) -> None:
    first, second = date(2026, 1, 1), date(2026, 1, 2)
    store.replace_partitions(KEY, _day(first, [1]), "day", [first])
    _marked_write(store, _day(second, [2]), second, snapshot_mark(store.table(KEY)))
    assert _carries(store)

    rows = _day(second, [3, 4])
    stream = BatchStream(rows.schema, rows.to_batches)  # the chunked commit path
    _marked_write(store, stream, second, snapshot_mark(store.table(KEY)))
    assert _carries(store)
    assert store.read(KEY).num_rows == 3


def test_any_commit_after_a_marked_one_drops_the_mark(store: DeltaStore) -> None:
    first = date(2026, 1, 1)
    _marked_write(store, _day(first, [1]), first, snapshot_mark(None))
    store.append(KEY, _day(first, [1]))  # a hand-made write: a duplicate nobody checked

    assert not _carries(store)


def test_a_commit_between_the_check_and_the_marked_write_voids_the_mark(
    store: DeltaStore,
) -> None:
    first, second = date(2026, 1, 1), date(2026, 1, 2)
    store.replace_partitions(KEY, _day(first, [1]), "day", [first])
    checked = snapshot_mark(store.table(KEY))
    store.replace_partitions(KEY, _day(second, [1]), "day", [second])  # another writer

    _marked_write(store, _day(date(2026, 1, 3), [3]), date(2026, 1, 3), checked)

    assert not _carries(store)


def test_a_mark_of_another_table_does_not_hold(store: DeltaStore, tmp_path: Path) -> None:
    first = date(2026, 1, 1)
    other = DeltaStore(str(tmp_path / "other"))
    other.replace_partitions(KEY, _day(first, [1]), "day", [first])
    store.replace_partitions(KEY, _day(first, [1]), "day", [first])

    _marked_write(store, _day(first, [2]), first, snapshot_mark(other.table(KEY)))

    assert store.table(KEY).version() == 1
    assert not _carries(store)
