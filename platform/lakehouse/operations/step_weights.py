"""What a step of a run weighs for the executor: the landing bytes a step reads.

A bronze or silver step of a source holds, at its peak, memory that grows with the source's
landing files of a day (a range run works a day at a time); a daily mart's step reads its
window of the sources upstream of it (its weight: their sum). Steps run together while the sum
of their weights stays within a byte budget; any other step (whole-history marts, the
maintenance, an unpartitioned run's) and a step over the budget run alone. The landing zone is
listed once per run, before its first step starts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

import dagster as dg
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
        """What ``step`` weighs: a bronze or silver step, its source's largest day; a step of
        daily-partitioned assets downstream of them (the daily marts), the sum of the sources
        it reads; None (runs alone) for anything else."""
        keys = {o.properties.asset_key for o in step.step_outputs if o.properties.asset_key}
        if not keys:
            return None
        sizes = self._source_bytes()
        if not sizes:  # no days in the run, or the landing not listable: alone
            return None
        if len(keys) == 1 and (source := _landed_source(next(iter(keys)))):
            return sizes.get(source)
        sources = self._sources_read(keys)
        if not sources or not sources <= sizes.keys():
            return None
        return sum(sizes[s] for s in sources)

    def _sources_read(self, keys: set[dg.AssetKey]) -> set[str]:
        """The landed sources ``keys`` read: their nearest bronze or silver ancestors, reached
        through partitioned assets and views (dbt's external staging models). Empty when the
        way up meets a whole-history asset (an unpartitioned one it materialises or reads)."""
        graph = self.context.job.get_definition().asset_layer.asset_graph
        sources: set[str] = set()
        pending, seen = list(keys), set(keys)
        while pending:
            key = pending.pop()
            source = _landed_source(key)
            if source is not None:
                sources.add(source)
                continue
            if not graph.has(key):
                return set()
            node = graph.get(key)
            if node.is_materializable and node.partitions_def is None:
                return set()
            for parent in node.parent_keys - seen:
                seen.add(parent)
                pending.append(parent)
        return sources


def _landed_source(key: dg.AssetKey) -> str | None:
    """The source of a bronze or silver asset key (``[layer, source]``); None for others."""
    if len(key.path) == 2 and key.path[0] in LANDED_LAYERS:
        return key.path[1]
    return None


def landing_weights(
    landing: str, specs: Sequence[SourceSpec], storage_options: Mapping[str, str] | None
) -> WeighFor:
    """The executor's weights: a bronze or silver step's source's largest day of the run in
    landing bytes."""

    def weigh_for(context: PlanOrchestrationContext) -> Weigh:
        return LandingWeights(context, landing, specs, storage_options).weight

    return weigh_for
