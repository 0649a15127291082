"""Concurrency-pool claims that cannot wait for a slot that is already free.

Dagster's SQL storages register a step that claims a pool slot as pending, assigned at once
only if a slot was unassigned a moment before (``has_unassigned_slots``, then
``add_pending_step``: two statements). A slot freed between the two is handed to the steps
pending at that instant, not to the one being added: that step then waits for a release that
never comes once nothing else runs on the pool. Two runs sharing a Delta table's pool (a
backfill fanned out, a delivery beside a backfill) hit it when the first releases its last
step on the pool as the second claims: the second run hangs, polling, for ever (dagster 1.13.27).

:class:`AssignsFreeSlotsOnClaim` closes it: a claim that finds its step still unassigned while
the pool has an unassigned slot assigns the head of the pool's queue (Dagster's own order:
priority, then age), then claims again. A step assigned one slot too many only waits on the
slot rows as before, so the check can never let two steps hold one slot.
"""

from __future__ import annotations

from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage
from dagster._utils.concurrency import ConcurrencyClaimStatus


class AssignsFreeSlotsOnClaim(SqlEventLogStorage):
    """A SQL event log whose claims assign a pool's free slot to a step left waiting by the
    race described in this module."""

    def claim_concurrency_slot(
        self, concurrency_key: str, run_id: str, step_key: str, priority: int | None = None
    ) -> ConcurrencyClaimStatus:
        """Dagster's claim; again after assigning a free slot when the step was left waiting."""
        status = super().claim_concurrency_slot(concurrency_key, run_id, step_key, priority)
        if status.is_assigned or not self.has_unassigned_slots(concurrency_key):
            return status
        self.assign_pending_steps([concurrency_key])
        return super().claim_concurrency_slot(concurrency_key, run_id, step_key, priority)
