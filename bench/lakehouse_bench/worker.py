"""The platform side of the benchmark: Dagster runs in this process, timed and measured.

Started by :mod:`lakehouse_bench.scenarios` as ``python -m lakehouse_bench.worker TASK ...``
with ``LAKEHOUSE_ROOT``, ``LAKEHOUSE_LANDING`` and ``DAGSTER_HOME`` set; writes its
measurements as JSON to ``--result``. Tasks:

- ``day``: load the definitions, then run ``daily_lakehouse`` for ``--day`` (the first run in
  the process; on an empty lakehouse or a re-run);
- ``backfill``: load the definitions, run bronze + silver of each day of ``--start``..``--end``
  (one run per day; with ``--by-range`` one run per range of up to 31 days, as a Dagster asset
  backfill does) and the daily gold marts over the range in one run;
- ``trivial``: a one-op job run twice in a fresh process (run launch overhead);
- ``steps``: each bronze and silver table of ``--day`` in a run of its own, then the daily
  marts, in one process: every run's time and peak memory, to find the step a day's peak is
  in (a profiling aid, not part of ``lakehouse-bench``).
"""

import argparse
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import dagster as dg

from lakehouse_bench.procmem import cpu_seconds, peak_rss, rss

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@contextmanager
def phase(into: dict[str, Any]) -> Iterator[None]:
    """Time the block (wall and CPU, children included) and record this process's resident
    set before it and its peak in it.

    Child processes (dbt) are watched by the parent, from outside: a polling thread in here
    would compete for the GIL with the run it measures.
    """
    into["rss_before"] = rss()
    peak_rss(reset=True)
    cpu = cpu_seconds()
    started = time.perf_counter()
    yield
    into["seconds"] = time.perf_counter() - started
    into["cpu_seconds"] = cpu_seconds() - cpu
    into["peak_rss"] = peak_rss()


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Wall time of each step of a run, from its event log."""
    starts: dict[str, float] = {}
    steps: dict[str, float] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type_value == "STEP_START":
            starts[event.step_key] = record.timestamp
        elif event.event_type_value in ("STEP_SUCCESS", "STEP_FAILURE"):
            steps[event.step_key] = record.timestamp - starts.get(event.step_key, record.timestamp)
    return steps


def failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """The error messages of a run's failed steps."""
    return [
        f"{e.step_key}: {e.step_failure_data.error.message.strip()}"
        for e in result.all_events
        if e.is_step_failure and e.step_failure_data.error
    ]


def measured_run(
    job: dg.JobDefinition,
    instance: dg.DagsterInstance,
    partition: str | None,
    keys: list[dg.AssetKey] | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Execute ``job`` in process, with its executor as a headless run does; its time, steps,
    memory and errors."""
    from lakehouse.operations.executor import execute_in_process

    sample: dict[str, Any] = {"partition": partition}
    with phase(sample):
        result = execute_in_process(
            job,
            partition_key=partition,
            instance=instance,
            asset_selection=keys,
            tags=tags,
            raise_on_error=False,
            run_config=QUIET,
        )
    sample["success"] = result.success
    sample["errors"] = failures(result)
    sample["steps"] = step_seconds(instance, result.run_id)
    return sample


def _daily_mart_keys() -> list[dg.AssetKey]:
    """The gold marts partitioned by day (what a day's run builds in gold)."""
    from lakehouse.gold.project import PARTITIONED_MARTS

    return [dg.AssetKey(["gold", mart]) for mart in PARTITIONED_MARTS]


def _load() -> tuple[dg.Definitions, dg.JobDefinition, dict[str, Any]]:
    from lakehouse.operations.jobs import DAILY_JOB

    started = time.perf_counter()
    from lakehouse.definitions import build_definitions
    from lakehouse.settings import load_settings

    defs = build_definitions(load_settings())
    job = defs.resolve_job_def(DAILY_JOB)
    loaded = {"defs_seconds": time.perf_counter() - started, "defs_loaded_at": time.time()}
    return defs, job, loaded


def task_day(args: argparse.Namespace) -> dict[str, Any]:
    """One run of ``daily_lakehouse`` for a day, the first run in this process."""
    _, job, report = _load()
    report["run"] = measured_run(job, dg.DagsterInstance.get(), args.day.isoformat())
    return report


def task_backfill(args: argparse.Namespace) -> dict[str, Any]:
    """Bronze + silver in one run per day (or per range of days, ``--by-range``), then the
    daily marts over the range in one run."""
    from lakehouse.operations.backfill import day_ranges, range_tags

    defs, job, report = _load()
    instance = dg.DagsterInstance.get()
    layers = dg.AssetSelection.groups("bronze", "silver").resolve(defs.resolve_asset_graph())
    daily_keys = sorted(layers & set(job.asset_layer.executable_asset_keys))
    gold_keys = _daily_mart_keys()
    days: list[dict[str, Any]] = []
    backfill: dict[str, Any] = {"days": days}
    every = [args.start + timedelta(days=n) for n in range((args.end - args.start).days + 1)]
    with phase(backfill):
        if args.by_range:
            for run in day_ranges(every):
                span = range_tags(run[0], run[-1])
                days.append(measured_run(job, instance, None, daily_keys, span))
        else:
            for day in every:
                days.append(measured_run(job, instance, day.isoformat(), daily_keys))
        span = range_tags(args.start, args.end)
        backfill["gold"] = measured_run(job, instance, None, gold_keys, span)
    # Each run restarted the peak count: the backfill's peak is the largest of the runs'.
    backfill["peak_rss"] = max(r["peak_rss"] for r in [*days, backfill["gold"]])
    report["backfill"] = backfill
    return report


def task_trivial(args: argparse.Namespace) -> dict[str, Any]:
    """A one-op job, run twice: the first run in a process, and a warm one."""

    @dg.op
    def noop() -> None:
        return None

    @dg.job
    def trivial() -> None:
        noop()

    instance = dg.DagsterInstance.get()
    seconds = []
    for _ in range(2):
        started = time.perf_counter()
        trivial.execute_in_process(instance=instance, run_config=QUIET)
        seconds.append(time.perf_counter() - started)
    return {"first_seconds": seconds[0], "warm_seconds": seconds[1]}


def task_steps(args: argparse.Namespace) -> dict[str, Any]:
    """Bronze, then silver, one table per run, then the daily marts: each run's peak memory."""
    _, job, report = _load()
    instance = dg.DagsterInstance.get()
    tables = sorted(job.asset_layer.executable_asset_keys)
    runs = [[key] for layer in ("bronze", "silver") for key in tables if key.path[0] == layer]
    runs.append(_daily_mart_keys())
    steps: dict[str, Any] = {}
    for keys in runs:
        name = "/".join(keys[0].path) if len(keys) == 1 else "gold (daily marts)"
        steps[name] = measured_run(job, instance, args.day.isoformat(), keys)
    report["steps"] = steps
    return report


TASKS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "day": task_day,
    "steps": task_steps,
    "backfill": task_backfill,
    "trivial": task_trivial,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lakehouse_bench.worker")
    parser.add_argument("task", choices=sorted(TASKS))
    parser.add_argument("--result", type=Path, required=True, help="write the JSON here")
    parser.add_argument("--day", type=date.fromisoformat)
    parser.add_argument("--start", type=date.fromisoformat)
    parser.add_argument("--end", type=date.fromisoformat)
    parser.add_argument("--by-range", action="store_true", help="backfill: ranges of days")
    args = parser.parse_args()
    report = TASKS[args.task](args)
    args.result.write_text(json.dumps(report, indent=2, default=str))


if __name__ == "__main__":
    main()
