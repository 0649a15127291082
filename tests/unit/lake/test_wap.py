"""Write-audit-publish: only audited candidates reach the table; blocked ones wait in staging."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.lake import DeltaStore, WriteResult
from lakehouse.lake.wap import staging_key, write_audit_publish

KEY = ["silver", "things"]


@dataclass(frozen=True)
class Check:
    passed: bool
    blocking: bool = True


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    store = DeltaStore(str(tmp_path / "lake"))
    store.overwrite(KEY, pa.table({"id": [1, 2]}))
    return store


def candidate(*ids: int) -> pa.Table:
    return pa.table({"id": pa.array(ids, pa.int64())})


def publish_to(store: DeltaStore) -> Callable[[pa.Table], WriteResult]:
    def publish(data: pa.Table) -> WriteResult:
        return store.append(KEY, data)

    return publish


def ids(store: DeltaStore, key: list[str]) -> list[int]:
    return sorted(store.read(key).column("id").to_pylist())


def test_passing_candidate_is_published_in_one_commit(store: DeltaStore) -> None:
    audited: list[pa.Table] = []
    before = store.table(KEY).version()
    result = write_audit_publish(
        store, KEY, candidate(3), lambda t: audited.append(t) or [Check(True)], publish_to(store)
    )
    assert not result.blocked
    assert result.published is not None and result.published.version == before + 1
    assert audited == [candidate(3)]
    assert ids(store, KEY) == [1, 2, 3]
    assert not store.exists(staging_key(KEY))


def test_blocked_candidate_changes_nothing_and_is_staged(store: DeltaStore) -> None:
    before = store.table(KEY).version()
    result = write_audit_publish(
        store, KEY, candidate(4, 5), lambda t: [Check(False)], publish_to(store)
    )
    assert result.blocked
    assert store.table(KEY).version() == before
    assert ids(store, KEY) == [1, 2]
    assert result.staging_uri == store.uri(staging_key(KEY))
    assert ids(store, staging_key(KEY)) == [4, 5]


def test_failed_non_blocking_check_still_publishes(store: DeltaStore) -> None:
    result = write_audit_publish(
        store, KEY, candidate(6), lambda t: [Check(False, blocking=False)], publish_to(store)
    )
    assert not result.blocked
    assert ids(store, KEY) == [1, 2, 6]


def test_publishing_removes_an_earlier_blocked_candidate(store: DeltaStore) -> None:
    write_audit_publish(store, KEY, candidate(7), lambda t: [Check(False)], publish_to(store))
    write_audit_publish(store, KEY, candidate(8), lambda t: [Check(True)], publish_to(store))
    assert not store.exists(staging_key(KEY))
    assert ids(store, KEY) == [1, 2, 8]
