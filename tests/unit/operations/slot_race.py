"""Dagster's pool-claim race, replayed step by step on an event log storage."""

from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage

POOL = "delta_silver_orders"
STEP = "silver__orders"


def replay_race(storage: SqlEventLogStorage) -> None:
    """Interleave two runs' claims on a one-slot pool as the race does: the second looks for a
    free slot while the first holds it, the first releases, the second registers as pending.
    After it the slot is free and run-2's step pending, unassigned."""
    storage.set_concurrency_slots(POOL, 1)
    assert storage.claim_concurrency_slot(POOL, "run-1", STEP).is_claimed
    assert not storage.has_unassigned_slots(POOL)  # what the second claim saw
    storage.free_concurrency_slot_for_step("run-1", STEP)
    storage.add_pending_step(POOL, "run-2", STEP, should_assign=False)
