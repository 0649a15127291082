"""A test-only code location: a one-op job on a schedule that fires every minute (UTC).

It stands in for the lakehouse's own schedules so the PostgreSQL instance test exercises the
scheduler, queue and run storage without waiting for a pipeline run. The schedule starts
stopped; the test turns it on, as an operator would.
"""

import dagster as dg

SCHEDULE = "every_minute"
JOB = "heartbeat"


@dg.op
def beat(context: dg.OpExecutionContext) -> str:
    """Record that a scheduled run reached a worker."""
    context.log.info(f"scheduled tick {context.run.tags.get('dagster/scheduled_execution_time')}")
    return "ok"


@dg.job(name=JOB, executor_def=dg.in_process_executor)
def heartbeat() -> None:
    beat()


defs = dg.Definitions(
    jobs=[heartbeat],
    schedules=[
        dg.ScheduleDefinition(
            name=SCHEDULE,
            job=heartbeat,
            cron_schedule="* * * * *",
            execution_timezone="UTC",
            default_status=dg.DefaultScheduleStatus.STOPPED,
        )
    ],
)
