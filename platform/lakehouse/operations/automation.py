"""Automation and operations: schedules, sensors, alerts, retries and table maintenance.

Nothing here imports the layer modules (``defs/bronze``, ``defs/silver``): they import
``retries`` and ``conditions`` from this package.
"""

import dagster as dg

from lakehouse.settings import Settings
from lakehouse.sources import SourceSpec


def build_automation_defs(
    settings: Settings, specs: list[SourceSpec], partitions: dg.PartitionsDefinition
) -> dg.Definitions:
    """Schedules, sensors, the maintenance job and the alert resource for ``settings``."""
    from lakehouse.operations.alerts import (
        AlertWebhook,
        build_freshness_sensor,
        build_run_failure_sensor,
    )
    from lakehouse.operations.maintenance_job import MAINTENANCE_JOB, build_maintenance_job
    from lakehouse.operations.schedules import build_daily_schedule, build_maintenance_schedule
    from lakehouse.operations.sensors import build_automation_sensor, build_landing_sensor

    job_assets = [dg.AssetKey([layer, s.name]) for s in specs for layer in ("bronze", "silver")]
    return dg.Definitions(
        jobs=[build_maintenance_job(specs, settings.operations.rollback_window_days)],
        schedules=[
            build_daily_schedule(settings, job_assets),
            build_maintenance_schedule(settings, MAINTENANCE_JOB),
        ],
        sensors=[
            build_landing_sensor(settings, specs, partitions),
            build_automation_sensor(settings),
            build_run_failure_sensor(settings),
            build_freshness_sensor(settings),
        ],
        resources={"alert_webhook": AlertWebhook.from_settings(settings)},
    )
