"""The landing sensor, the automation sensor and the dead-run sensor.

The landing sensor watches the landing zone (local folder or ``s3://`` prefix) and requests
the daily job for each day whose files arrived or changed: bronze and silver of the changed
sources in one run (one launch instead of two, and a blocked bronze stops its silver inside
the run). Days landing together (the first start's seeded days, a catch-up) share out the
instance's run slots as runs over ranges of consecutive days. The automation sensor
evaluates the assets' automation conditions: silver when bronze changed outside that job, and
gold (dbt) after silver. The dead-run sensor fails the runs whose process is gone and frees
their slots, so runs the daemon queued behind them start.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import dagster as dg

from lakehouse.landing.scan import scan_landing
from lakehouse.operations.backfill import range_tags
from lakehouse.operations.dead_runs import reap_dead_runs
from lakehouse.operations.deliveries import LandingCursor, RunBatch, batch_runs, plan_runs
from lakehouse.operations.jobs import DAILY_JOB, daily_run_keys
from lakehouse.policy.assets import MAX_DAYS_PER_RUN
from lakehouse.policy.conditions import WHOLE_DAY_RUN_TAGS
from lakehouse.settings import Settings
from lakehouse.sources import SourceSpec

LANDING_SENSOR = "landing_sensor"
DEAD_RUNS_SENSOR = "dead_runs"
AUTOMATION_SENSOR = "lakehouse_automation"
SETTLE_SECONDS = 10
"""A file changed more recently than this may still be being written: its day waits a tick."""
FRESH_DATA_PRIORITY = "5"
"""Queue priority of runs for new deliveries: they go before queued backfill runs."""


def _status(running: bool) -> dg.DefaultSensorStatus:
    return dg.DefaultSensorStatus.RUNNING if running else dg.DefaultSensorStatus.STOPPED


def _partition_bounds(
    partitions: dg.PartitionsDefinition, now: datetime
) -> tuple[date | None, date | None]:
    keys = partitions.get_partition_keys(current_time=now)
    if not keys:
        return None, None
    return date.fromisoformat(keys[0]), date.fromisoformat(keys[-1])


def run_limit(instance: dg.DagsterInstance) -> int | None:
    """The instance's limit of concurrent runs (queued run coordinator); None without one."""
    queue = instance.get_concurrency_config().run_queue_config
    if queue is None or queue.max_concurrent_runs < 1:
        return None
    return queue.max_concurrent_runs


def run_request(batch: RunBatch, declared: list[str]) -> dg.RunRequest:
    """The daily job for the batch's days: the changed sources' bronze and silver, and the
    daily gold marts when every source changed; one day is a partition, several a range. The
    selection is always explicit, so automation does not request again what this run builds
    (``daily_run_keys``)."""
    everything = set(batch.sources) == set(declared)
    one_day = batch.first == batch.last
    return dg.RunRequest(
        run_key=batch.run_key,
        partition_key=batch.first.isoformat() if one_day else None,
        asset_selection=daily_run_keys(batch.sources, with_gold=everything),
        tags={
            **({} if one_day else range_tags(batch.first, batch.last)),
            **(WHOLE_DAY_RUN_TAGS if everything else {}),
            "lakehouse/trigger": "landing",
            "lakehouse/sources": ",".join(batch.sources),
            "lakehouse/landing_fingerprint": batch.fingerprint,
            "lakehouse/delivery": "partial" if batch.missing else "complete",
            "dagster/priority": FRESH_DATA_PRIORITY,
        },
    )


def build_landing_sensor(
    settings: Settings,
    specs: list[SourceSpec],
    partitions: dg.PartitionsDefinition,
    *,
    settle_seconds: float = SETTLE_SECONDS,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dg.SensorDefinition:
    """The sensor requesting the daily job for new or changed landing files (``clock``: the
    time of a tick, UTC)."""
    declared = [s.name for s in specs]
    ops = settings.operations
    deadline = timedelta(hours=ops.delivery_deadline_hours)

    @dg.sensor(
        name=LANDING_SENSOR,
        job_name=DAILY_JOB,
        minimum_interval_seconds=30,
        default_status=_status(ops.sensors_running),
        description=(
            f"Watches {settings.landing} and runs {DAILY_JOB} for each day whose files arrived "
            f"or changed (once per file version; days landing together share the run slots as "
            f"ranges of days). A day missing a declared source waits up to "
            f"{ops.delivery_deadline_hours:g} h (LAKEHOUSE_DELIVERY_DEADLINE_HOURS), then runs "
            f"what is there. Watches the last {ops.landing_lookback_days} days "
            "(LAKEHOUSE_LANDING_LOOKBACK_DAYS); older days need `lakehouse backfill`."
        ),
    )
    def landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        now = clock()
        first, last = _partition_bounds(partitions, now)
        since = now.date() - timedelta(days=ops.landing_lookback_days)
        if first is not None:
            since = max(since, first)
        inventory = scan_landing(settings.landing, specs, since, settings.storage_options)
        plan = plan_runs(
            inventory,
            declared,
            LandingCursor.from_json(context.cursor),
            now,
            last_day=last,
            since=since,
            deadline=deadline,
            settle=timedelta(seconds=settle_seconds),
        )
        for reason in plan.waiting:
            context.log.info(reason)
        batches = batch_runs(plan.runs, run_limit(context.instance), MAX_DAYS_PER_RUN)
        for batch in batches:
            missing = ", ".join(batch.missing)
            missing = f"; missing {missing} (deadline passed)" if missing else ""
            context.log.info(f"{batch.days}: run for {', '.join(batch.sources)}{missing}")
        skip = None
        if not plan.runs:
            skip = "; ".join(plan.waiting) or f"no new or changed files under {settings.landing}"
        return dg.SensorResult(
            run_requests=[run_request(b, declared) for b in batches],
            cursor=plan.cursor.to_json(),
            skip_reason=skip,
        )

    return landing_sensor


def build_automation_sensor(settings: Settings) -> dg.AutomationConditionSensorDefinition:
    """Evaluates every asset's automation condition (silver and gold carry one)."""
    return dg.AutomationConditionSensorDefinition(
        AUTOMATION_SENSOR,
        target=dg.AssetSelection.all(),
        default_status=_status(settings.operations.sensors_running),
        minimum_interval_seconds=30,
        run_tags={"lakehouse/trigger": "automation", "dagster/priority": FRESH_DATA_PRIORITY},
        description="Updates silver and gold when their parents updated and passed their checks.",
    )


def build_dead_runs_sensor() -> dg.SensorDefinition:
    """Every 30 s: fail the STARTED runs of this host whose process is gone, free their slots.

    A headless run killed outright (SIGKILL, OOM) stays STARTED and keeps its pool slots; the
    queued run coordinator then holds back every run needing those pools. Only a dead pid is
    proof here (runs of other hosts and daemon-launched runs are left to run monitoring), so
    the sensor is always on, whatever LAKEHOUSE_SENSORS says.
    """

    @dg.sensor(
        name=DEAD_RUNS_SENSOR,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Fails STARTED runs of this host whose process is gone (a killed `lakehouse "
            "materialize`) and frees their pool slots, so queued runs can start."
        ),
    )
    def dead_runs(context: dg.SensorEvaluationContext) -> dg.SkipReason:
        lines = [d.line() for d in reap_dead_runs(context.instance, float("inf"))]
        for line in lines:
            context.log.warning(line)
        return dg.SkipReason("; ".join(lines) or "no dead run")

    return dead_runs
