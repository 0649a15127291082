"""Read finished runs and their asset events from the Dagster instance, incrementally.

The cursor is the run storage's update time of the newest finished run already collected:
each collection reads only runs finished since, and only those runs' events. (A global event
storage id cannot be the cursor: SQLite storage shards step and check events per run.)
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import pyarrow as pa
from dagster._core.events import DagsterEventType

from lakehouse.observability.tables import EVENTS_SCHEMA, RUNS_SCHEMA
from lakehouse.observability.versions import (
    CODE_VERSION_TAG,
    COMMITTED_AT_TAG,
    OPERATION_TAG,
    Commit,
    commit_at,
)

FINISHED = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
_EVENT_TYPES = {
    DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    DagsterEventType.ASSET_MATERIALIZATION,
    DagsterEventType.ASSET_CHECK_EVALUATION,
    DagsterEventType.STEP_START,
    DagsterEventType.STEP_SUCCESS,
    DagsterEventType.STEP_FAILURE,
}


def _utc(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def finished_runs(
    instance: dg.DagsterInstance, updated_after: datetime | None, limit: int = 5000
) -> list[dg.RunRecord]:
    """Runs that finished (success, failure, cancel) after the cursor, oldest update first."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=FINISHED, updated_after=updated_after),
        limit=limit,
        order_by="update_timestamp",
        ascending=True,
    )
    return list(records)


def run_rows(records: Iterable[dg.RunRecord], commits: Sequence[Commit] = ()) -> pa.Table:
    """One row per run; runs without a code-version tag are attributed to the git commit
    that was newest when they started (``version_from_tag`` false)."""
    rows = []
    for record in records:
        run = record.dagster_run
        start = _utc(record.start_time) or record.create_timestamp
        version = run.tags.get(CODE_VERSION_TAG)
        committed = run.tags.get(COMMITTED_AT_TAG)
        committed_at = datetime.fromisoformat(committed).astimezone(UTC) if committed else None
        from_tag = version is not None
        if version is None and (found := commit_at(list(commits), start)) is not None:
            version, committed_at = found.sha, found.committed_at
        elif committed_at is None and version is not None:
            committed_at = next((c.committed_at for c in commits if c.sha == version), None)
        rows.append(
            {
                "run_id": run.run_id,
                "job_name": run.job_name,
                "status": run.status.value,
                "code_version": version,
                "committed_at": committed_at,
                "version_from_tag": from_tag,
                "operation": run.tags.get(OPERATION_TAG),
                "partition": run.tags.get("dagster/partition"),
                "start_time": start,
                "end_time": _utc(record.end_time),
                "updated_at": record.update_timestamp.astimezone(UTC),
            }
        )
    return pa.Table.from_pylist(rows, schema=RUNS_SCHEMA)


def _number(metadata: dict[str, Any], *names: str) -> int | None:
    for name in names:
        if name in metadata:
            value = metadata[name]
            value = getattr(value, "value", value)
            if isinstance(value, int | float):
                return int(value)
    return None


def _run_events(run_id: str, run_partition: str | None, records: Sequence[Any]) -> list[dict]:
    """The asset events of one run: materialisations, failed assets and check results."""
    planned: dict[str, list[str]] = defaultdict(list)
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    done: set[str] = set()
    rows: list[dict] = []
    failures: list[tuple[int, float, str]] = []
    for record in records:
        entry = record.event_log_entry
        event = entry.dagster_event
        step = event.step_key
        kind = event.event_type
        base = {"run_id": run_id, "seq": record.storage_id, "timestamp": _utc(entry.timestamp)}
        base["step_key"] = step
        if kind == DagsterEventType.ASSET_MATERIALIZATION_PLANNED and step:
            planned[step].append(event.asset_key.to_user_string())
        elif kind == DagsterEventType.STEP_START and step:
            started[step] = entry.timestamp
        elif kind == DagsterEventType.STEP_SUCCESS and step:
            seconds[step] = event.step_success_data.duration_ms / 1000
        elif kind == DagsterEventType.STEP_FAILURE and step:
            seconds[step] = entry.timestamp - started.get(step, entry.timestamp)
            failures.append((record.storage_id, entry.timestamp, step))
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.step_materialization_data.materialization
            meta = dict(mat.metadata)
            asset = mat.asset_key.to_user_string()
            done.add(asset)
            rows.append(
                base
                | {
                    "kind": "materialization",
                    "asset": asset,
                    "partition": mat.partition or run_partition,
                    "rows": _number(meta, "dagster/row_count", "rows"),
                    "bytes_added": _number(meta, "bytes_added"),
                    "files_added": _number(meta, "files_added"),
                }
            )
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            check = event.asset_check_evaluation_data
            rows.append(
                base
                | {
                    "kind": "check",
                    "asset": check.asset_key.to_user_string(),
                    "partition": check.partition or run_partition,
                    "check_name": check.check_name,
                    "passed": check.passed,
                    "blocking": bool(check.blocking),
                }
            )
    for seq, when, step in failures:
        for asset in planned.get(step, [step.replace("__", "/")]):
            if asset not in done:
                rows.append(
                    {"run_id": run_id, "seq": seq, "timestamp": _utc(when), "step_key": step}
                    | {"kind": "failure", "asset": asset, "partition": run_partition}
                )
    # A step's wall time is shared by the assets it materialised (dbt builds many in one step).
    per_step: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["kind"] != "check":
            per_step[row["step_key"]] += 1
    for row in rows:
        if row["kind"] != "check" and row["step_key"] in seconds:
            row["step_seconds"] = seconds[row["step_key"]] / per_step[row["step_key"]]
    return rows


def event_rows(instance: dg.DagsterInstance, runs: Iterable[dg.RunRecord]) -> pa.Table:
    """The asset events of ``runs``: one row per materialisation, failed asset and check."""
    rows: list[dict] = []
    for record in runs:
        run = record.dagster_run
        events = instance.get_records_for_run(run.run_id, of_type=_EVENT_TYPES, limit=100_000)
        rows.extend(_run_events(run.run_id, run.tags.get("dagster/partition"), events.records))
    return pa.Table.from_pylist(rows, schema=EVENTS_SCHEMA)
