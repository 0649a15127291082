"""The daily production schedule and the weekly table-maintenance schedule.

The daily schedule materialises yesterday's partition (UTC) at ``LAKEHOUSE_SCHEDULE_CRON``. It
is the backstop of the landing sensor: a day the sensor already built (every asset of the job
has the partition) is skipped, so the two never build the same day twice.
"""

from datetime import UTC, timedelta
from typing import Any

import dagster as dg

from lakehouse.operations.jobs import DAILY_JOB
from lakehouse.settings import Settings

DAILY_SCHEDULE = "daily_lakehouse_schedule"
MAINTENANCE_SCHEDULE = "table_maintenance_weekly"


def _timing(cron: str, running: bool) -> dict[str, Any]:
    """What every schedule shares: ``cron`` in UTC, running by default only where ``running``."""
    status = dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED
    return {"cron_schedule": cron, "execution_timezone": "UTC", "default_status": status}


def build_daily_schedule(
    settings: Settings, job_assets: list[dg.AssetKey]
) -> dg.ScheduleDefinition:
    """Yesterday's partition of the daily job, unless every asset in ``job_assets`` has it."""
    ops = settings.operations

    @dg.schedule(
        name=DAILY_SCHEDULE,
        job_name=DAILY_JOB,
        description=(
            f"Yesterday's landing day through bronze and silver at '{ops.daily_cron}' UTC "
            "(LAKEHOUSE_SCHEDULE_CRON); skipped when the landing sensor already built it."
        ),
        **_timing(ops.daily_cron, ops.schedules_running),
    )
    def daily_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        day = context.scheduled_execution_time.astimezone(UTC).date() - timedelta(days=1)
        key = day.isoformat()
        built = [k for k in job_assets if key in context.instance.get_materialized_partitions(k)]
        if job_assets and len(built) == len(job_assets):
            return dg.SkipReason(f"{key} is already built (by the landing sensor or by hand)")
        return dg.RunRequest(
            run_key=f"schedule:{key}",
            partition_key=key,
            tags={"lakehouse/trigger": "schedule"},
        )

    return daily_schedule


def build_maintenance_schedule(settings: Settings, job_name: str) -> dg.ScheduleDefinition:
    """The table-maintenance job every week at ``LAKEHOUSE_MAINTENANCE_CRON``."""
    ops = settings.operations
    return dg.ScheduleDefinition(
        name=MAINTENANCE_SCHEDULE,
        job_name=job_name,
        description=(
            f"Compaction, Z-order and vacuum of every table at '{ops.maintenance_cron}' UTC "
            "(LAKEHOUSE_MAINTENANCE_CRON)."
        ),
        **_timing(ops.maintenance_cron, ops.schedules_running),
    )
