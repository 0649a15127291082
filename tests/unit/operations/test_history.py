"""Table history: versions, operations, row counts and the reason, newest first."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.lake import DeltaStore
from lakehouse.lake.streams import BatchStream
from lakehouse.operations.history import format_history, parse_commit, table_history
from lakehouse.operations.rollback import rollback

KEY = "silver/customers"


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    store = DeltaStore(str(tmp_path / "lake"))
    store.merge(KEY, pa.table({"id": ["a", "b"], "v": [1, 2]}), keys=["id"])
    store.merge(KEY, pa.table({"id": ["b", "c", "d"], "v": [3, 4, 5]}), keys=["id"])
    store.append(KEY, pa.table({"id": ["e"], "v": [6]}))
    return store


def test_history_lists_commits_newest_first_with_row_counts(store: DeltaStore) -> None:
    entries = table_history(store, KEY)
    assert [e.version for e in entries] == [2, 1, 0]
    assert [e.operation for e in entries] == ["WRITE", "MERGE", "WRITE"]
    assert (entries[0].rows_added, entries[2].rows_added) == (1, 2)
    merge = entries[1]
    assert (merge.rows_added, merge.rows_updated, merge.rows_removed) == (2, 1, 0)
    assert merge.rows_output is not None
    assert all(e.reason is None for e in entries)


def test_history_limit_keeps_the_newest(store: DeltaStore) -> None:
    assert [e.version for e in table_history(store, KEY, limit=2)] == [2, 1]
    with pytest.raises(ValueError, match="at least 1"):
        table_history(store, KEY, limit=0)


def test_custom_commit_metadata_is_user_metadata() -> None:
    entry = parse_commit(
        {
            "version": 4,
            "timestamp": 1_767_225_600_000,
            "operation": "RESTORE",
            "operationParameters": {"version": "1"},
            "operationMetrics": {"numRemovedFile": 1},
            "engineInfo": "delta-rs",
            "lakehouse.reason": "bad load",
            "lakehouse.user": "alice",
        }
    )
    assert entry.user_metadata == {"lakehouse.reason": "bad load", "lakehouse.user": "alice"}
    assert (entry.reason, entry.user) == ("bad load", "alice")
    assert entry.timestamp.isoformat() == "2026-01-01T00:00:00+00:00"


def test_formatted_history_is_aligned_and_shows_the_reason(store: DeltaStore) -> None:
    rollback(store, KEY, version=1, reason="undo the append", user="alice")
    lines = format_history(table_history(store, KEY)).splitlines()
    assert lines[0].split()[:3] == ["version", "timestamp", "(UTC)"]
    assert "RESTORE to v1" in lines[1] and "alice" in lines[1]
    assert lines[1].endswith("undo the append")
    operations = ["RESTORE", "WRITE", "MERGE", "WRITE"]
    starts = {line.index(op) for line, op in zip(lines[1:], operations, strict=True)}
    assert len(starts) == 1, lines


def test_a_streamed_write_shows_its_partitions_and_rows(tmp_path: Path) -> None:
    """A write committed in chunks has no operation parameters or metrics of delta-rs's own:
    the history shows the predicate and rows it recorded."""
    store = DeltaStore(str(tmp_path))
    rows = pa.table({"id": list(range(12)), "day": pa.array([date(2026, 1, 2)] * 12)})
    stream = BatchStream(rows.schema, lambda: rows.to_batches(max_chunksize=5))
    store.replace_partition(["t"], stream, "day", date(2026, 1, 2))
    [entry] = table_history(store, ["t"])
    assert "'2026-01-02'" in entry.parameters["predicate"]
    assert entry.rows_added == 12
