"""A few weeks of realistic run history, written into a Dagster instance with its real
timestamps, so that every ``ops`` table and chart has data and every figure a known answer.

Run day k (k = 1..days) starts the daily run at 02:00 UTC of ``start + k`` for partition
``start + k - 1``: bronze/orders (60 s), silver/orders (120 s), silver/customers (30 s). Five
code versions deploy; v2 is followed by a rollback, v3 breaks silver/orders and v4 fixes it the
same morning (re-running the broken partition), day 15 runs late (07:00), day 17 is slow
(silver/orders 600 s, rows unchanged), and day 13's volume warning fails.
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import dagster as dg
from dagster._core.events import (
    AssetMaterializationPlannedData,
    DagsterEvent,
    DagsterEventType,
    StepMaterializationData,
)
from dagster._core.events.log import EventLogEntry
from dagster._core.execution.plan.objects import StepFailureData, StepSuccessData
from dagster_shared.error import SerializableErrorInfo

from lakehouse.observability.versions import OPERATION_TAG, Commit

DAILY_JOB = "daily_lakehouse"
# (asset, step seconds, rows at run day k, bytes per row, files added)
STEPS = (
    ("bronze/orders", 60, 1000, 150, 1),
    ("silver/orders", 120, 1000, 100, 2),
    ("silver/customers", 30, 200, 80, 1),
)
# version -> (first run day, lead time in hours from commit to first success)
VERSIONS = {"v1": (1, 12), "v2": (5, 6), "v3": (11, 16), "v4": (11, 2), "v5": (19, 4)}
FIX_AT = time(10, 0)  # v4 re-runs the partition v3 broke, on day 11
LATE_DAY, LATE_AT = 15, time(7, 0)
SLOW_DAY, SLOW_SECONDS = 17, 600
ROLLBACK_DAY, ROLLBACK_AT = 7, time(14, 0)
BROKEN_DAY, WARN_DAY = 11, 13
BRONZE_SECONDS = STEPS[0][1]


@dataclass(frozen=True)
class DemoHistory:
    """What was written: the run ids and the code versions with their commits."""

    start: date
    days: int
    run_ids: tuple[str, ...]
    commits: dict[str, Commit]


def sha(version: str) -> str:
    """The demo's fake git commit of a version name."""
    return hashlib.sha1(f"lakehouse-demo-{version}".encode()).hexdigest()


def _rows(asset: str, base: int, k: int) -> int:
    return base + (k if asset == "silver/customers" else 5 * k)


def _version_on(k: int) -> str:
    """The version the daily run of day ``k`` ran (v3 only on the day it broke)."""
    if k == BROKEN_DAY:
        return "v3"
    live = [v for v, (day, _) in VERSIONS.items() if day <= k and v != "v3"]
    return max(live, key=lambda v: VERSIONS[v][0])


class _Writer:
    def __init__(self, instance: dg.DagsterInstance, start: date) -> None:
        self.instance, self.start = instance, start
        self.run_ids: list[str] = []

    def at(self, k: int, when: time) -> datetime:
        return datetime.combine(self.start + timedelta(days=k), when, tzinfo=UTC)

    def emit(
        self,
        run_id: str,
        job: str,
        t: datetime,
        kind: DagsterEventType,
        step: str | None = None,
        data: object = None,
    ) -> None:
        event = DagsterEvent(kind.value, job, step_key=step, event_specific_data=data)  # type: ignore[arg-type]
        entry = EventLogEntry(
            None,
            "DEBUG",
            "",
            run_id,
            t.timestamp(),
            step_key=step,
            job_name=job,
            dagster_event=event,
        )
        self.instance.handle_new_event(entry)

    def run(
        self,
        k: int,
        when: time,
        version: Commit,
        *,
        partition: date | None = None,
        job: str = DAILY_JOB,
        tags: dict[str, str] | None = None,
    ) -> str:
        run_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"lakehouse-demo/{self.start}/{k}/{when}"))
        day = partition or self.start + timedelta(days=k - 1)
        run_tags = {**version.tags(), **(tags or {})}
        if job == DAILY_JOB:
            run_tags["dagster/partition"] = day.isoformat()
        self.instance.add_run(
            dg.DagsterRun(
                job_name=job, run_id=run_id, tags=run_tags, status=dg.DagsterRunStatus.NOT_STARTED
            )
        )
        t = self.at(k, when)
        self.emit(run_id, job, t, DagsterEventType.RUN_START)
        failed = False
        for asset, seconds, base, per_row, files in STEPS if job == DAILY_JOB else ():
            step, key = asset.replace("/", "__"), dg.AssetKey(asset.split("/"))
            self.emit(
                run_id,
                job,
                t,
                DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
                step,
                AssetMaterializationPlannedData(key, partition=day.isoformat()),
            )
            self.emit(run_id, job, t, DagsterEventType.STEP_START, step)
            if asset == "silver/orders" and version.sha == sha("v3"):
                t += timedelta(seconds=30)
                error = SerializableErrorInfo("KeyError: 'order_total'", [], "KeyError")
                self.emit(
                    run_id,
                    job,
                    t,
                    DagsterEventType.STEP_FAILURE,
                    step,
                    StepFailureData(error=error, user_failure_data=None),
                )
                failed = True
                continue
            if asset == "silver/orders" and k == SLOW_DAY:
                seconds = SLOW_SECONDS
            t += timedelta(seconds=seconds)
            rows = _rows(asset, base, (day - self.start).days + 1)
            meta = {"dagster/row_count": rows, "bytes_added": rows * per_row, "files_added": files}
            self.emit(
                run_id,
                job,
                t,
                DagsterEventType.ASSET_MATERIALIZATION,
                step,
                StepMaterializationData(
                    dg.AssetMaterialization(key, partition=day.isoformat(), metadata=meta)
                ),
            )
            if asset.startswith("silver/"):
                self.check(run_id, t, step, key, day, "not_null", True, blocking=True)
                warn_passed = not (asset == "silver/orders" and k == WARN_DAY)
                self.check(run_id, t, step, key, day, "volume", warn_passed, blocking=False)
            self.emit(
                run_id,
                job,
                t,
                DagsterEventType.STEP_SUCCESS,
                step,
                StepSuccessData(float(seconds * 1000)),
            )
        if job != DAILY_JOB:
            t += timedelta(seconds=20)
        end = DagsterEventType.RUN_FAILURE if failed else DagsterEventType.RUN_SUCCESS
        self.emit(run_id, job, t, end)
        self.run_ids.append(run_id)
        return run_id

    def check(
        self,
        run_id: str,
        t: datetime,
        step: str,
        key: dg.AssetKey,
        day: date,
        name: str,
        passed: bool,
        blocking: bool,
    ) -> None:
        severity = dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN
        evaluation = dg.AssetCheckEvaluation(
            key, name, passed, severity=severity, blocking=blocking, partition=day.isoformat()
        )
        self.emit(run_id, DAILY_JOB, t, DagsterEventType.ASSET_CHECK_EVALUATION, step, evaluation)


def write_demo_history(instance: dg.DagsterInstance, start: date, days: int = 21) -> DemoHistory:
    """Write ``days`` run days of history from ``start`` (at least 19 for every scene)."""
    if days < 19:
        raise ValueError(f"demo history needs at least 19 days to show every scene, not {days}")
    writer = _Writer(instance, start)
    commits = {}
    for version, (k, lead) in VERSIONS.items():
        when = FIX_AT if version == "v4" else time(2, 0)
        first_success = writer.at(k, when) + timedelta(seconds=BRONZE_SECONDS)
        commits[version] = Commit(sha(version), first_success - timedelta(hours=lead))
    for k in range(1, days + 1):
        writer.run(k, LATE_AT if k == LATE_DAY else time(2, 0), commits[_version_on(k)])
        if k == BROKEN_DAY:
            writer.run(k, FIX_AT, commits["v4"], partition=start + timedelta(days=k - 1))
        if k == ROLLBACK_DAY:
            writer.run(
                k,
                ROLLBACK_AT,
                commits["v2"],
                job="rollback_table",
                tags={OPERATION_TAG: "rollback"},
            )
    return DemoHistory(start, days, tuple(writer.run_ids), commits)
