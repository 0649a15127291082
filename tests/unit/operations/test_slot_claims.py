"""A pool slot freed while another run's step registers its claim is not lost: that step gets it
(Dagster's own storage leaves the step waiting for ever), and a held slot is never given twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from lakehouse.operations.event_log_storage import PooledSqliteEventLogStorage

from .slot_race import POOL, STEP, replay_race


def test_dagster_s_own_storage_leaves_the_step_waiting(tmp_path: Path) -> None:
    # The race reproduced: without the platform's claim, the free slot is never the step's.
    storage = SqliteEventLogStorage(str(tmp_path))
    replay_race(storage)
    for _ in range(3):
        assert not storage.claim_concurrency_slot(POOL, "run-2", STEP).is_claimed
    assert storage.has_unassigned_slots(POOL)


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[PooledSqliteEventLogStorage]:
    pooled = PooledSqliteEventLogStorage(str(tmp_path))
    yield pooled
    pooled.dispose()


def test_the_step_left_waiting_claims_the_free_slot(storage: PooledSqliteEventLogStorage) -> None:
    replay_race(storage)
    status = storage.claim_concurrency_slot(POOL, "run-2", STEP)
    assert status.is_claimed
    assert storage.get_concurrency_info(POOL).active_run_ids == {"run-2"}


def test_a_held_slot_is_not_given_to_a_waiting_step(storage: PooledSqliteEventLogStorage) -> None:
    storage.set_concurrency_slots(POOL, 1)
    assert storage.claim_concurrency_slot(POOL, "run-1", STEP).is_claimed
    for _ in range(3):
        assert not storage.claim_concurrency_slot(POOL, "run-2", STEP).is_claimed
    assert storage.get_concurrency_info(POOL).active_run_ids == {"run-1"}
    # Released, the slot goes to the waiting step.
    storage.free_concurrency_slot_for_step("run-1", STEP)
    assert storage.claim_concurrency_slot(POOL, "run-2", STEP).is_claimed
