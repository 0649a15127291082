"""Headless materialisation: the daily job for a range of landing days, recorded in the instance."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from datetime import date, timedelta

import dagster as dg
from pyarrow import fs

from lakehouse.lake.filesystems import filesystem_for
from lakehouse.operations.jobs import DAILY_JOB, GOLD_HISTORY_JOB
from lakehouse.settings import Settings
from lakehouse.sources import load_sources

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def landed_days(landing_root: str, storage_options: Mapping[str, str] | None = None) -> list[date]:
    """Days for which any declared source has a landing folder, sorted."""
    filesystem, base = filesystem_for(landing_root, storage_options)
    days: set[date] = set()
    for spec in load_sources():
        folder = spec.landing.path.split("{date}", 1)[0].rstrip("/")
        path = f"{base.rstrip('/')}/{folder}"
        if filesystem.get_file_info(path).type != fs.FileType.Directory:
            continue
        for entry in filesystem.get_file_info(fs.FileSelector(path)):
            if entry.type == fs.FileType.Directory and _DAY.match(entry.base_name):
                days.add(date.fromisoformat(entry.base_name))
    return sorted(days)


def _instance() -> dg.DagsterInstance:
    try:
        return dg.DagsterInstance.get()
    except dg.DagsterInvariantViolationError:
        print(
            "DAGSTER_HOME is not set: runs are not recorded (use `make materialize`)",
            file=sys.stderr,
        )
        return dg.DagsterInstance.ephemeral()


def _run(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    keys: set[dg.AssetKey] | None,
    partition: str | None,
) -> bool:
    """Execute ``job`` in process; print its outcome and errors. Returns True on failure."""
    job_keys = set(job.asset_layer.executable_asset_keys)
    selected = None if keys is None else sorted(keys & job_keys)
    if selected == []:
        return False
    result = job.execute_in_process(
        partition_key=partition,
        instance=instance,
        asset_selection=selected,
        raise_on_error=False,
        run_config=_QUIET,
    )
    print(f"{partition or job.name}  {'ok' if result.success else 'FAILED'}  run {result.run_id}")
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.error:
            message = event.step_failure_data.error.message.strip()
            print(f"    {event.step_key}: {message}", file=sys.stderr)
    return not result.success


def materialize_days(
    defs: dg.Definitions,
    settings: Settings,
    start: date | None = None,
    end: date | None = None,
    selection: str | None = None,
) -> list[str]:
    """Materialise the daily job for every day in ``[start, end]``; returns failed partitions.

    Without bounds, the range is the landed days. ``selection`` is a Dagster asset selection
    string (``group:silver``, ``key:silver/orders``); the default is every layer.
    """
    days = landed_days(settings.landing, settings.storage_options)
    if start is None and end is None and not days:
        raise ValueError(f"no landed days under {settings.landing}: run `lakehouse generate` first")
    first = start or (days[0] if days else end)
    last = end or (days[-1] if days else start)
    assert first is not None and last is not None
    if last < first:
        raise ValueError(f"--end {last} is before --start {first}")
    job = defs.resolve_job_def(DAILY_JOB)
    keys = None
    if selection:
        keys = dg.AssetSelection.from_string(selection).resolve(defs.resolve_asset_graph())
    instance = _instance()
    failed = []
    day = first
    while day <= last:
        if _run(job, instance, keys, day.isoformat()):
            failed.append(day.isoformat())
        day += timedelta(days=1)
    if _run(defs.resolve_job_def(GOLD_HISTORY_JOB), instance, keys, None):
        failed.append(GOLD_HISTORY_JOB)
    return failed
