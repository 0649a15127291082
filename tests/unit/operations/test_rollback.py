"""Rollback restores the exact earlier content, records why, and refuses unclear requests."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.lake import DeltaStore, TableNotFoundError
from lakehouse.operations.history import table_history
from lakehouse.operations.rollback import RollbackError, rollback

KEY = "silver/orders"


def write_day(store: DeltaStore, landed: date, ids: list[str], total: float) -> None:
    rows = {
        "order_id": ids,
        "order_total": [total] * len(ids),
        "_landing_date": [landed] * len(ids),
    }
    store.replace_partition(KEY, pa.table(rows), "_landing_date", landed)
    # Commit timestamps have millisecond resolution: keep each commit in its own millisecond.
    now = time.time_ns() // 1_000_000
    while time.time_ns() // 1_000_000 <= now:
        pass


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    """Version 0: day 1; version 1: day 2; version 2: a bad re-run of day 1."""
    store = DeltaStore(str(tmp_path / "lake"))
    write_day(store, date(2026, 1, 1), ["a", "b"], 10.0)
    write_day(store, date(2026, 1, 2), ["c"], 20.0)
    write_day(store, date(2026, 1, 1), ["x"], -1.0)
    return store


def content(store: DeltaStore, version: int | None = None) -> pa.Table:
    table = store.table(KEY)
    if version is not None:
        table.load_as_version(version)
    return table.to_pyarrow_table().sort_by("order_id")


def test_rollback_to_version_restores_the_exact_earlier_content(store: DeltaStore) -> None:
    good = content(store, 1)
    result = rollback(store, KEY, version=1, reason="bad re-run of 2026-01-01", user="alice")
    assert content(store).equals(good)
    assert (result.restored_version, result.previous_version, result.version) == (1, 2, 3)
    assert result.table == KEY and result.user == "alice"


def test_history_shows_the_restore_with_its_reason_and_user(store: DeltaStore) -> None:
    rollback(store, KEY, version=1, reason="bad re-run of 2026-01-01", user="alice")
    newest = table_history(store, KEY, limit=1)[0]
    assert newest.operation == "RESTORE"
    assert newest.version == 3
    assert newest.reason == "bad re-run of 2026-01-01"
    assert newest.user == "alice"
    assert newest.parameters["version"] == "1"


def test_rollback_to_timestamp_picks_the_last_version_at_or_before_it(store: DeltaStore) -> None:
    commits = {e.version: e.timestamp for e in table_history(store, KEY)}
    result = rollback(store, KEY, timestamp=commits[1].isoformat(), reason="undo", user="bob")
    assert result.restored_version == 1
    assert content(store).equals(content(store, 1))


def test_timestamp_without_offset_is_utc(store: DeltaStore) -> None:
    first = table_history(store, KEY)[-1].timestamp
    naive = first.replace(tzinfo=None).isoformat()
    assert rollback(store, KEY, timestamp=naive, reason="undo", user="u").restored_version == 0


def test_a_rollback_can_itself_be_rolled_back(store: DeltaStore) -> None:
    bad = content(store)
    rollback(store, KEY, version=0, reason="undo everything", user="u")
    rollback(store, KEY, version=2, reason="the re-run was right after all", user="u")
    assert content(store).equals(bad)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"reason": "r"}, "exactly one of a version"),
        ({"version": 0, "timestamp": "2026-01-01", "reason": "r"}, "exactly one of a version"),
        ({"version": 0, "reason": ""}, "a reason is required"),
        ({"version": 0, "reason": "   "}, "a reason is required"),
        ({"version": 7, "reason": "r"}, "silver/orders has no version 7: it has versions 0..2"),
        ({"version": -1, "reason": "r"}, "version must be 0 or more"),
        ({"version": 2, "reason": "r"}, "already at version 2"),
        ({"timestamp": "yesterday", "reason": "r"}, "not ISO 8601"),
    ],
)
def test_unclear_or_impossible_rollbacks_are_refused(
    store: DeltaStore, kwargs: dict[str, object], expected: str
) -> None:
    with pytest.raises(RollbackError, match=expected):
        rollback(store, KEY, user="u", **kwargs)  # type: ignore[arg-type]
    assert store.table(KEY).version() == 2


def test_timestamp_before_the_first_commit_is_refused(store: DeltaStore) -> None:
    first = table_history(store, KEY)[-1].timestamp
    with pytest.raises(RollbackError, match="no version at or before"):
        rollback(store, KEY, timestamp=first - timedelta(days=1), reason="r", user="u")


def test_rollback_of_a_missing_table_says_which(store: DeltaStore) -> None:
    with pytest.raises(TableNotFoundError, match="silver/nothing"):
        rollback(store, "silver/nothing", version=0, reason="r", user="u")
