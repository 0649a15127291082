"""``lakehouse backfill``: submit a Dagster asset backfill to the instance and follow it.

The backfill is the same object the UI's "Materialize → backfill" creates: the daemon of
``make run`` (or production's) launches its runs under the run queue's limits and the
per-table concurrency pools, so it never races the sensors' runs on a table. Bronze and silver
run up to 31 days per run (``BACKFILL_POLICY``), the daily marts the whole range in one run.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TextIO

import dagster as dg
from dagster._core.execution.backfill import (
    BULK_ACTION_TERMINAL_STATUSES,
    BulkActionStatus,
    PartitionBackfill,
)
from dagster._core.utils import make_new_backfill_id

from lakehouse.operations.selection import SelectionError, select_assets
from lakehouse.policy.assets import MAX_DAYS_PER_RUN

BACKFILL_DAEMON = "BACKFILL"
HEARTBEAT_STALE_SECONDS = 120


class BackfillError(ValueError):
    """The backfill request is invalid; the message says what to change."""


@dataclass(frozen=True)
class BackfillProgress:
    """Asset partitions of a backfill: targeted, materialised, failed (with their downstream)."""

    status: BulkActionStatus
    total: int
    materialized: int
    failed: int

    @property
    def done(self) -> bool:
        """True once the daemon finished (or gave up on) the backfill."""
        return self.status in BULK_ACTION_TERMINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        """True when every targeted partition was materialised."""
        return self.status in (BulkActionStatus.COMPLETED_SUCCESS, BulkActionStatus.COMPLETED)


def _days(start: date, end: date) -> list[str]:
    if end < start:
        raise BackfillError(f"--end {end} is before --start {start}")
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def range_tags(first: date, last: date) -> dict[str, str]:
    """The tags that make a run cover the days ``first``..``last`` (a partition range)."""
    return {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}


def day_ranges(days: list[date], longest: int = MAX_DAYS_PER_RUN) -> list[list[date]]:
    """``days`` cut into runs of consecutive days, each at most ``longest`` days long."""
    ranges: list[list[date]] = []
    for day in sorted(days):
        last = ranges[-1] if ranges else None
        if last and day - last[-1] == timedelta(days=1) and len(last) < longest:
            last.append(day)
        else:
            ranges.append([day])
    return ranges


def resolve_selection(defs: dg.Definitions, selection: str) -> list[dg.AssetKey]:
    """The materialisable, partitioned assets an asset-selection string names.

    Raises:
        BackfillError: the selection is malformed, names nothing, or names unpartitioned assets.
    """
    graph = defs.resolve_asset_graph()
    try:
        keys = select_assets(defs, selection)
    except SelectionError as exc:
        raise BackfillError(str(exc)) from None
    unpartitioned = sorted(k.to_user_string() for k in keys if graph.get(k).partitions_def is None)
    if unpartitioned:
        raise BackfillError(
            f"{', '.join(unpartitioned)} are not partitioned by day: materialise them from the "
            "UI or narrow the selection"
        )
    return sorted(keys, key=lambda k: k.to_user_string())


def submit_backfill(
    instance: dg.DagsterInstance,
    defs: dg.Definitions,
    selection: str,
    start: date,
    end: date,
    tags: Mapping[str, str] | None = None,
) -> str:
    """Create the asset backfill of ``selection`` for days ``start``..``end``; its id.

    Raises:
        BackfillError: bad selection, or a day that is not a partition of the assets.
    """
    keys = resolve_selection(defs, selection)
    graph = defs.resolve_asset_graph()
    days = _days(start, end)
    for key in keys:
        partitions = graph.get(key).partitions_def
        assert partitions is not None
        valid = set(partitions.get_partition_keys(dynamic_partitions_store=instance))
        outside = [d for d in days if d not in valid]
        if outside:
            first, last = min(valid, default="-"), max(valid, default="-")
            raise BackfillError(
                f"{', '.join(outside[:3])}{'…' if len(outside) > 3 else ''} not a partition of "
                f"{key.to_user_string()} (partitions {first} .. {last}); narrow --start/--end"
            )
    backfill_id = make_new_backfill_id()
    backfill = PartitionBackfill.from_asset_partitions(
        backfill_id=backfill_id,
        asset_graph=graph,
        partition_names=days,
        asset_selection=keys,
        backfill_timestamp=time.time(),
        tags={"lakehouse/trigger": "cli-backfill", **(tags or {})},
        dynamic_partitions_store=instance,
        all_partitions=False,
        title=f"lakehouse backfill {selection} {start}..{end}",
        description=f"{len(keys)} assets x {len(days)} days, submitted by `lakehouse backfill`",
        run_config=None,
    )
    instance.add_backfill(backfill)
    return backfill_id


def backfill_progress(
    instance: dg.DagsterInstance, defs: dg.Definitions, backfill_id: str
) -> BackfillProgress:
    """Where the backfill stands, from the instance."""
    backfill = instance.get_backfill(backfill_id)
    if backfill is None:
        raise BackfillError(f"no backfill {backfill_id} in this Dagster instance (DAGSTER_HOME)")
    data = backfill.get_asset_backfill_data(defs.resolve_asset_graph())
    return BackfillProgress(
        status=backfill.status,
        total=data.target_subset.num_partitions_and_non_partitioned_assets,
        materialized=data.materialized_subset.num_partitions_and_non_partitioned_assets,
        failed=data.failed_and_downstream_subset.num_partitions_and_non_partitioned_assets,
    )


def daemon_running(instance: dg.DagsterInstance, now: float | None = None) -> bool:
    """True if a backfill daemon heartbeat is recent (``make run`` / ``dagster dev`` is up)."""
    heartbeat = instance.get_daemon_heartbeats().get(BACKFILL_DAEMON)
    now = time.time() if now is None else now
    return heartbeat is not None and now - heartbeat.timestamp < HEARTBEAT_STALE_SECONDS


def progress_bar(progress: BackfillProgress, width: int = 30) -> str:
    """``[#######-----] 14/24 materialised, 0 failed (REQUESTED)``."""
    finished = progress.materialized + progress.failed
    filled = width * finished // progress.total if progress.total else width
    bar = "#" * filled + "-" * (width - filled)
    return (
        f"[{bar}] {progress.materialized}/{progress.total} materialised, "
        f"{progress.failed} failed ({progress.status.value})"
    )


def wait_for_backfill(
    instance: dg.DagsterInstance,
    defs: dg.Definitions,
    backfill_id: str,
    *,
    poll_seconds: float = 2.0,
    out: TextIO = sys.stderr,
    sleep: Callable[[float], None] = time.sleep,
) -> BackfillProgress:
    """Poll the instance until the backfill ends, drawing a progress bar on ``out``."""
    interactive = out.isatty()
    last = ""
    while True:
        progress = backfill_progress(instance, defs, backfill_id)
        line = progress_bar(progress)
        if line != last:
            out.write(("\r" if interactive else "") + line + ("" if interactive else "\n"))
            out.flush()
            last = line
        if progress.done:
            if interactive:
                out.write("\n")
            return progress
        sleep(poll_seconds)


def failed_partitions(instance: dg.DagsterInstance, backfill_id: str) -> Sequence[str]:
    """Partition keys of the backfill's failed runs, for the summary."""
    runs = instance.get_runs(
        filters=dg.RunsFilter(
            tags={"dagster/backfill": backfill_id}, statuses=[dg.DagsterRunStatus.FAILURE]
        )
    )
    return sorted({r.tags.get("dagster/partition", "?") for r in runs})


def backfill_command(
    defs: dg.Definitions,
    dagster_url: str,
    selection: str,
    start: date,
    end: date,
    *,
    wait: bool = True,
    out: TextIO = sys.stdout,
    instance: dg.DagsterInstance,
) -> int:
    """``lakehouse backfill``: submit, then follow the backfill; 0 on success, 1 on failures.

    ``defs`` are the platform's definitions and ``dagster_url`` the UI's address, for links.
    """
    backfill_id = submit_backfill(instance, defs, selection, start, end)
    url = f"{dagster_url}/runs/b/{backfill_id}"
    print(f"backfill {backfill_id} submitted: {selection} {start}..{end}  {url}", file=out)
    if not daemon_running(instance):
        print(
            "no Dagster daemon is running for this instance: the backfill starts when one does "
            "(`make run`)",
            file=out,
        )
    if not wait:
        return 0
    progress = wait_for_backfill(instance, defs, backfill_id, out=out)
    failed = failed_partitions(instance, backfill_id)
    if progress.succeeded and not failed:
        print(
            f"backfill {backfill_id} done: {progress.materialized} asset partitions materialised",
            file=out,
        )
        return 0
    print(
        f"backfill {backfill_id} ended {progress.status.value}: failed partitions "
        f"{', '.join(failed) or '-'}; see {url}",
        file=out,
    )
    return 1
