"""Commit retries: a write that loses a commit race runs again on the new version, with backoff
and jitter, and a write that keeps losing raises instead of disappearing."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, SchemaMismatchError

import lakehouse.lake.commits as store_module  # where the store calls write_deltalake
from lakehouse.lake import DeltaStore
from lakehouse.lake.retry import CommitConflictError, RetryPolicy, with_commit_retries

DAY = dt.date(2026, 1, 1)
KEY = ["bronze", "orders"]


def _rows(value: int, n: int = 3) -> pa.Table:
    return pa.table({"_landing_date": pa.array([DAY] * n, pa.date32()), "v": [value] * n})


def _flaky(failures: int, error: Exception) -> tuple[Callable[[], str], list[int]]:
    calls: list[int] = []

    def write() -> str:
        calls.append(1)
        if len(calls) <= failures:
            raise error
        return "committed"

    return write, calls


def test_transient_commit_failure_is_retried_until_it_commits() -> None:
    write, calls = _flaky(2, CommitFailedError("Failed to commit transaction: 15"))
    waits: list[float] = []
    result = with_commit_retries(
        write, table="t", operation="append", sleep=waits.append, draw=lambda: 0.5
    )
    assert result == "committed"
    assert len(calls) == 3
    assert waits == pytest.approx([0.075, 0.15])


def test_backoff_doubles_with_jitter_and_stops_at_the_cap() -> None:
    policy = RetryPolicy(attempts=10, base_delay=0.1, max_delay=1.0)
    low = [policy.delay(n, 0.0) for n in range(1, 7)]
    high = [policy.delay(n, 0.999999) for n in range(1, 7)]
    assert low == pytest.approx([0.05, 0.1, 0.2, 0.4, 0.5, 0.5])
    assert high == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0], rel=1e-5)


def test_every_retry_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    write, _ = _flaky(1, CommitFailedError("concurrent transaction"))
    with caplog.at_level(logging.WARNING, logger="lakehouse.lake.retry"):
        with_commit_retries(write, table="s3://b/t", operation="merge", sleep=lambda _: None)
    assert "commit conflict on s3://b/t (merge, attempt 1 of 8)" in caplog.text


def test_a_write_that_always_loses_raises_with_the_last_conflict_as_cause() -> None:
    error = CommitFailedError("Failed to commit transaction: 15")
    write, calls = _flaky(99, error)
    policy = RetryPolicy(attempts=4, base_delay=0, max_delay=0)
    with pytest.raises(CommitConflictError, match=r"append on t lost its commit race 4 times") as e:
        with_commit_retries(write, table="t", operation="append", policy=policy, sleep=print)
    assert len(calls) == 4
    assert e.value.__cause__ is error


@pytest.mark.parametrize(
    "error", [SchemaMismatchError("cast"), OSError("connection reset"), ValueError("bad input")]
)
def test_errors_other_than_commit_conflicts_are_not_retried(error: Exception) -> None:
    write, calls = _flaky(1, error)
    with pytest.raises(type(error)):
        with_commit_retries(write, table="t", operation="append", sleep=lambda _: None)
    assert len(calls) == 1


def test_invalid_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="invalid retry policy"):
        RetryPolicy(attempts=0)


def _race_once(monkeypatch: pytest.MonkeyPatch, store: DeltaStore, times: int) -> list[int]:
    """Make the store's next ``times`` writes lose a real race: just before each one commits,
    another writer replaces the same partition (delta-rs then raises CommitFailedError)."""
    real = store_module.write_deltalake
    raced: list[int] = []

    def racing_write(table_or_uri: Any, data: pa.Table, **kwargs: Any) -> None:
        if len(raced) < times:
            raced.append(1)
            write_deltalake(
                store.uri(KEY),
                _rows(100 + len(raced)),
                mode="overwrite",
                predicate=f"_landing_date = '{DAY}'",
            )
        real(table_or_uri, data, **kwargs)

    monkeypatch.setattr(store_module, "write_deltalake", racing_write)
    return raced


def test_store_write_that_loses_a_real_race_commits_on_the_new_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DeltaStore(str(tmp_path))
    store.retry_policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.01)
    store.replace_partition(KEY, _rows(1), "_landing_date", DAY)
    raced = _race_once(monkeypatch, store, times=1)

    result = store.replace_partition(KEY, _rows(2), "_landing_date", DAY)

    assert raced == [1]
    table = DeltaTable(store.uri(KEY))
    assert table.version() == result.version == 2
    assert table.to_pyarrow_table().column("v").to_pylist() == [2, 2, 2]
    operations = [h["operation"] for h in table.history()]
    assert operations == ["WRITE", "WRITE", "WRITE"]
    assert result.rows_deleted == 3


def test_store_write_that_loses_every_race_raises_and_commits_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = DeltaStore(str(tmp_path))
    store.retry_policy = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.01)
    store.replace_partition(KEY, _rows(1), "_landing_date", DAY)
    _race_once(monkeypatch, store, times=2)

    with pytest.raises(CommitConflictError, match=r"replace_partition on .*bronze/orders"):
        store.replace_partition(KEY, _rows(2), "_landing_date", DAY)

    table = DeltaTable(store.uri(KEY))
    assert table.version() == 2
    assert table.to_pyarrow_table().column("v").to_pylist() == [102, 102, 102]


def test_a_create_that_another_writer_beat_merges_into_its_table_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store found no table, another writer created it before our write: our create is a
    lost race, and the retry merges into the table the other writer created."""
    store = DeltaStore(str(tmp_path))
    store.retry_policy = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.01)
    real = store_module.write_deltalake
    raced: list[int] = []

    def created_meanwhile(table_or_uri: Any, data: pa.Table, **kwargs: Any) -> None:
        if not raced:
            raced.append(1)
            real(store.uri(KEY), pa.table({"k": [1], "v": [10]}))
        real(table_or_uri, data, **kwargs)

    monkeypatch.setattr(store_module, "write_deltalake", created_meanwhile)

    store.merge(KEY, pa.table({"k": [2], "v": [20]}), keys=["k"])

    assert raced == [1]
    rows = DeltaTable(store.uri(KEY)).to_pyarrow_table().sort_by("k").to_pylist()
    assert rows == [{"k": 1, "v": 10}, {"k": 2, "v": 20}]
