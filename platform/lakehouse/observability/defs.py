"""The observability definitions: the ``ops`` assets, their job and schedule, and the sensor
that tags every run with the git commit of the code it runs."""

from functools import cache

import dagster as dg

from lakehouse.observability.assets import OPS_ASSETS, OPS_GROUP
from lakehouse.observability.versions import CODE_VERSION_TAG, Commit, head_commit
from lakehouse.settings import Settings, project_dir

OPS_JOB = "ops_health"
CODE_VERSION_SENSOR = "tag_runs_with_code_version"


@cache
def _head() -> Commit | None:
    return head_commit(project_dir())


def build_code_version_sensor(settings: Settings) -> dg.SensorDefinition:
    """Adds ``lakehouse/code_version`` (and the commit time) to every run as it starts, unless
    the launcher set it; runs without it are attributed from git history when collected."""

    @dg.run_status_sensor(
        name=CODE_VERSION_SENSOR,
        run_status=dg.DagsterRunStatus.STARTED,
        default_status=dg.DefaultSensorStatus.RUNNING
        if settings.operations.sensors_running
        else dg.DefaultSensorStatus.STOPPED,
        description="Tags each started run with the git commit this code location runs "
        f"({CODE_VERSION_TAG}), for DORA lead time and change failure rate.",
    )
    def tag_runs_with_code_version(context: dg.RunStatusSensorContext):
        run = context.dagster_run
        commit = _head()
        if commit is None or CODE_VERSION_TAG in run.tags:
            return dg.SkipReason("no git checkout, or the run already has its code version")
        context.instance.add_run_tags(run.run_id, commit.tags())
        return None

    return tag_runs_with_code_version


def build_observability_defs(settings: Settings) -> dg.Definitions:
    """The ``ops`` assets, the ``ops_health`` job with its hourly schedule, and the sensor."""
    job = dg.define_asset_job(
        OPS_JOB,
        selection=dg.AssetSelection.groups(OPS_GROUP),
        description="Collect new runs from the instance; recompute DORA, SLA, durations, cost.",
    )
    schedule = dg.ScheduleDefinition(
        name="ops_health_hourly",
        job=job,
        cron_schedule="15 * * * *",
        default_status=dg.DefaultScheduleStatus.RUNNING
        if settings.operations.schedules_running
        else dg.DefaultScheduleStatus.STOPPED,
    )
    return dg.Definitions(
        assets=OPS_ASSETS,
        jobs=[job],
        schedules=[schedule],
        sensors=[build_code_version_sensor(settings)],
    )
