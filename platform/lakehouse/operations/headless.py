"""Headless materialisation: the daily job for the landed days, recorded in the instance.

Before each run, runs whose process is gone are marked failed and their slots freed; a run
waits a bounded time for a pool slot, saying which run holds it; SIGINT/SIGTERM cancel the
run within seconds (see ``signals``). After each day, the day's landing files are checked
again and the day runs once more if a file arrived or changed meanwhile.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

import dagster as dg
from dagster._core.utils import make_new_run_id

from lakehouse.landing.days import changed_sources, day_fingerprints, find_landed_days
from lakehouse.landing.partitions import partition_start
from lakehouse.operations.backfill import day_ranges, range_tags
from lakehouse.operations.dead_runs import headless_tags, reap_dead_runs
from lakehouse.operations.executor import execute_in_process
from lakehouse.operations.failures import failure_text
from lakehouse.operations.instance import open_instance
from lakehouse.operations.jobs import DAILY_JOB, GOLD_HISTORY_JOB
from lakehouse.operations.selection import select_assets
from lakehouse.operations.signals import (
    SlotWait,
    Stopped,
    StopRequest,
    stop_signals,
    supervise,
)
from lakehouse.policy.conditions import WHOLE_DAY_RUN_TAGS
from lakehouse.settings import Settings

_QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
"""Dagster's own console log stays silent: the outcome and each failure's reason are printed."""
SLOT_TIMEOUT_SECONDS = 600.0
STALE_AFTER_SECONDS = 3600.0
_PREFLIGHT_POLL_SECONDS = 1.0


def landed_days(landing_root: str, storage_options: Mapping[str, str] | None = None) -> list[date]:
    """Days up to today (UTC) for which any declared source has a landing folder, sorted."""
    return find_landed_days(landing_root, datetime.now(UTC).date(), storage_options).days


@dataclass
class _Headless:
    """What every run of one materialisation shares."""

    defs: dg.Definitions
    instance: dg.DagsterInstance
    keys: set[dg.AssetKey] | None
    stop: StopRequest
    slot_timeout_seconds: float
    stale_after_seconds: float

    def reap(self) -> None:
        for dead in reap_dead_runs(self.instance, self.stale_after_seconds):
            print(dead.line(), flush=True)

    def pools(self, keys: list[dg.AssetKey]) -> list[str]:
        graph = self.defs.resolve_asset_graph()
        return sorted({pool for key in keys for pool in (graph.get(key).pools or ())})

    def wait_for_pools(self, pools: list[str], label: str) -> str | None:
        """Sleep until no other run holds the slots of ``pools``; an error line on timeout."""
        storage = self.instance.event_log_storage
        if not pools or not storage.supports_global_concurrency_limits:
            return None
        started, reported = time.monotonic(), set()
        while True:
            busy = {
                pool: sorted({s.run_id for s in info.claimed_slots if s.run_id})
                for pool, info in storage.get_concurrency_infos(pools).items()
                if info.limit is not None and len(info.claimed_slots) >= info.limit
            }
            if not busy:
                return None
            for pool, holders in busy.items():
                if pool not in reported:
                    reported.add(pool)
                    held = ", ".join(f"run {h}" for h in holders) or "nobody (limit 0)"
                    print(f"{label}  waiting for pool {pool}, held by {held}", flush=True)
            waited = time.monotonic() - started
            if waited > self.slot_timeout_seconds:
                pool, holders = next(iter(busy.items()))
                return (
                    f"{label}  gave up after {waited:.0f} s waiting for pool {pool} held by "
                    f"run {', '.join(holders)}: stop or fail that run, or raise --slot-timeout"
                )
            if self.stop.signum is not None:
                raise Stopped(self.stop.signum)
            self.stop.sleep(_PREFLIGHT_POLL_SECONDS)
            self.reap()

    def run(
        self, job: dg.JobDefinition, partition: str | None, span: tuple[date, date] | None = None
    ) -> bool:
        """Execute ``job`` in process (for ``partition``, or the day range ``span``); print its
        outcome and errors. Returns True on failure."""
        if self.stop.signum is not None:
            raise Stopped(self.stop.signum)
        job_keys = set(job.asset_layer.executable_asset_keys)
        selected = None if self.keys is None else sorted(self.keys & job_keys)
        if selected == []:
            return False
        label = partition or (f"{span[0]}..{span[1]}" if span else job.name)
        tags = headless_tags() | (range_tags(*span) if span else {})
        if selected is None and job.name == DAILY_JOB:
            tags |= WHOLE_DAY_RUN_TAGS
        pools = self.pools(selected if selected is not None else sorted(job_keys))
        self.reap()
        error = self.wait_for_pools(pools, label)
        if error:
            print(error, file=sys.stderr, flush=True)
            return True
        run_id = make_new_run_id()
        outcome = supervise(
            lambda: execute_in_process(
                job,
                partition_key=partition,
                instance=self.instance,
                asset_selection=selected,
                raise_on_error=False,
                run_config=_QUIET,
                run_id=run_id,
                tags=tags,
            ),
            instance=self.instance,
            run_id=run_id,
            label=label,
            stop=self.stop,
            slots=SlotWait(pools, self.slot_timeout_seconds),
        )
        if outcome.slot_timeout:
            print(
                f"{label}  FAILED  run {run_id}: gave up waiting for a pool slot after "
                f"{self.slot_timeout_seconds:.0f} s (see the line above; raise --slot-timeout)",
                file=sys.stderr,
            )
            return True
        result = outcome.value
        if result is None:
            print(f"{label}  FAILED  run {run_id}: {outcome.error!r}", file=sys.stderr)
            return True
        print(f"{label}  {'ok' if result.success else 'FAILED'}  run {result.run_id}", flush=True)
        for event in result.all_events:
            if event.is_step_failure:
                message = failure_text(event.step_failure_data).splitlines()[0]
                print(f"    {event.step_key}: {message}", file=sys.stderr)
        return not result.success

    def run_day(self, job: dg.JobDefinition, day: date, settings: Settings) -> bool:
        """Run one landed day; once more if its landing files changed during the run."""
        options = settings.storage_options
        before = day_fingerprints(settings.landing, day, options)
        failed = self.run(job, day.isoformat())
        after = day_fingerprints(settings.landing, day, options)
        changed = changed_sources(before, after)
        if not changed:
            return failed
        print(f"{day}  landing files of {', '.join(changed)} changed during the run: running again")
        failed = self.run(job, day.isoformat())
        still = changed_sources(after, day_fingerprints(settings.landing, day, options))
        if still:
            print(
                f"{day}  landing files of {', '.join(still)} changed again: not "
                f"all are in the lakehouse; once they settle, run "
                f"`lakehouse materialize --start {day} --end {day}`",
                file=sys.stderr,
            )
            return True
        return failed

    def run_range(self, job: dg.JobDefinition, days: list[date], settings: Settings) -> bool:
        """Run consecutive landed days in one run; once more if landing files changed meanwhile."""
        if len(days) == 1:
            return self.run_day(job, days[0], settings)
        span, options = (days[0], days[-1]), settings.storage_options

        def changed(before: dict[date, dict[str, str]]) -> list[str]:
            now = {d: day_fingerprints(settings.landing, d, options) for d in days}
            return sorted({s for d in days for s in changed_sources(before[d], now[d])})

        before = {d: day_fingerprints(settings.landing, d, options) for d in days}
        failed = self.run(job, None, span)
        moved = changed(before)
        if not moved:
            return failed
        print(f"{span[0]}..{span[1]}  landing files of {', '.join(moved)} changed: running again")
        before = {d: day_fingerprints(settings.landing, d, options) for d in days}
        failed = self.run(job, None, span)
        if changed(before):
            print(
                f"{span[0]}..{span[1]}  landing files changed again: not all are in the "
                f"lakehouse; once they settle, run `lakehouse materialize --start {span[0]} "
                f"--end {span[1]} --by-range`",
                file=sys.stderr,
            )
            return True
        return failed


def _days(
    settings: Settings, start: date | None, end: date | None, today: date
) -> tuple[list[date], list[str]]:
    """The landed days to run within ``[start, end]`` and the lines to report."""
    landed = find_landed_days(settings.landing, today, settings.storage_options)
    notes = list(landed.ignored)
    if not landed.days:
        raise ValueError(f"no landed days under {settings.landing}: run `lakehouse generate` first")
    first = start or landed.days[0]
    last = end or landed.days[-1]
    if last < first:
        raise ValueError(
            f"nothing to run: the range {first}..{last} is empty (landed days: "
            f"{landed.days[0]}..{landed.days[-1]})"
        )
    in_range = [d for d in landed.days if first <= d <= last]
    gaps = (last - first).days + 1 - len(in_range)
    if gaps and (start or end):
        notes.append(f"{gaps} day(s) in {first}..{last} have no landing folder: skipped")
    start_date = partition_start(settings)
    early = [d for d in in_range if d < start_date]
    days = [d for d in in_range if d >= start_date]
    if early:
        note = (
            f"{len(early)} landed day(s) before LAKEHOUSE_START_DATE={start_date} "
            f"(first {early[0]}): skipped; set LAKEHOUSE_START_DATE={early[0]} to include them"
        )
        if not days:
            raise ValueError(note)
        notes.append(note)
    if not days:
        raise ValueError(
            f"no landed day in {first}..{last} (landed days: {landed.days[0]}..{landed.days[-1]})"
        )
    return days, notes


def materialize_days(
    defs: dg.Definitions,
    settings: Settings,
    start: date | None = None,
    end: date | None = None,
    selection: str | None = None,
    *,
    slot_timeout_seconds: float = SLOT_TIMEOUT_SECONDS,
    stale_after_seconds: float = STALE_AFTER_SECONDS,
    today: date | None = None,
    instance_home: str | None = None,
    by_range: bool = False,
) -> list[str]:
    """Materialise the daily job for every landed day in ``[start, end]``; returns failures.

    ``by_range`` runs consecutive landed days together, up to 31 per run (``day_ranges``):
    each table is written once per range instead of once per day, and a day that fails a
    blocking check blocks its range.

    Without bounds, the days are the landed days up to ``today`` (UTC). ``selection`` is a
    Dagster asset selection string (``group:silver``); the default is every layer. A run
    gives up after ``slot_timeout_seconds`` waiting for a pool slot; a run not on this host
    is presumed dead after ``stale_after_seconds`` without events. Raises
    :class:`~lakehouse.operations.signals.Stopped` on SIGINT/SIGTERM, the run canceled.
    """
    days, notes = _days(settings, start, end, today or datetime.now(UTC).date())
    for note in notes:
        print(note, file=sys.stderr)
    keys = select_assets(defs, selection) if selection else None
    job = defs.resolve_job_def(DAILY_JOB)
    failed = []
    with stop_signals() as stop:
        headless = _Headless(
            defs,
            open_instance(settings, instance_home),
            keys,
            stop,
            slot_timeout_seconds,
            stale_after_seconds,
        )
        for run in day_ranges(days) if by_range else [[day] for day in days]:
            if headless.run_range(job, run, settings):
                failed.append(run[0].isoformat() if len(run) == 1 else f"{run[0]}..{run[-1]}")
        if headless.run(defs.resolve_job_def(GOLD_HISTORY_JOB), None):
            failed.append(GOLD_HISTORY_JOB)
    return failed
