"""What a step of a run weighs for the executor: the landing bytes a bronze or silver step reads.

A bronze or silver step of a source holds, at its peak, memory that grows with the source's
landing files of a day (a range run works a day at a time). Steps run together while the sum of
their sources' largest day stays within a byte budget; any other step (the marts, the
maintenance, an unpartitioned run's) and a step over the budget run alone. The landing zone is
listed once per run, before its first step starts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.step import ExecutionStep

from lakehouse.landing.scan import scan_landing
from lakehouse.operations.backfill import RANGE_END_TAG, RANGE_START_TAG
from lakehouse.operations.step_threads import Weigh, WeighFor
from lakehouse.sources import SourceSpec

LANDED_LAYERS = ("bronze", "silver")
"""The layers whose steps read a source's landing files (or what bronze made of them)."""
PARTITION_TAG = "dagster/partition"
RANGE_TAGS = (RANGE_START_TAG, RANGE_END_TAG)


def run_days(tags: Mapping[str, str]) -> list[date] | None:
    """The days a run covers, from its partition or partition-range tags (None: neither)."""
    try:
        if PARTITION_TAG in tags:
            return [date.fromisoformat(tags[PARTITION_TAG])]
        if all(t in tags for t in RANGE_TAGS):
            first, last = (date.fromisoformat(tags[t]) for t in RANGE_TAGS)
            return [first + timedelta(days=n) for n in range((last - first).days + 1)]
    except ValueError:  # not a day: a partition of another kind
        return None
    return None


def largest_day_bytes(
    landing: str,
    specs: Iterable[SourceSpec],
    days: Sequence[date],
    storage_options: Mapping[str, str] | None,
) -> dict[str, int]:
    """Each source's landing bytes on its largest day of ``days`` (0 if none landed)."""
    specs = list(specs)
    inventory = scan_landing(landing, specs, min(days), storage_options)
    chosen = set(days)
    largest = dict.fromkeys((s.name for s in specs), 0)
    for day, deliveries in inventory.items():
        if day in chosen:
            for source, delivery in deliveries.items():
                size = sum(f.size for f in delivery.files)
                largest[source] = max(largest.get(source, 0), size)
    return largest


class LandingWeights:
    """Steps' weights in one run (a source's largest day in bytes; None: runs alone)."""

    def __init__(
        self,
        context: PlanOrchestrationContext,
        landing: str,
        specs: Sequence[SourceSpec],
        storage_options: Mapping[str, str] | None,
    ) -> None:
        self.context = context
        self.landing = landing
        self.specs = specs
        self.storage_options = storage_options
        self._bytes: dict[str, int] | None = None

    def _source_bytes(self) -> dict[str, int]:
        if self._bytes is None:
            days = run_days(self.context.dagster_run.tags)
            self._bytes = {}
            # Landing not listable now: every step runs alone.
            with contextlib.suppress(OSError, ValueError):
                if days:
                    self._bytes = largest_day_bytes(
                        self.landing, self.specs, days, self.storage_options
                    )
        return self._bytes

    def weight(self, step: ExecutionStep) -> int | None:
        """What ``step`` weighs (None: not a bronze or silver step of a landed source)."""
        keys = [o.properties.asset_key for o in step.step_outputs if o.properties.asset_key]
        if len(set(keys)) != 1 or len(keys[0].path) != 2 or keys[0].path[0] not in LANDED_LAYERS:
            return None
        return self._source_bytes().get(keys[0].path[1])


def landing_weights(
    landing: str, specs: Sequence[SourceSpec], storage_options: Mapping[str, str] | None
) -> WeighFor:
    """The executor's weights: a bronze or silver step's source's largest day of the run in
    landing bytes."""

    def weigh_for(context: PlanOrchestrationContext) -> Weigh:
        return LandingWeights(context, landing, specs, storage_options).weight

    return weigh_for
