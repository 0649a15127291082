"""The daily schedule asks for yesterday's partition (UTC) unless the sensor already built it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import dagster as dg
import pytest

from lakehouse.operations.schedules import DAILY_SCHEDULE, MAINTENANCE_SCHEDULE
from lakehouse.sources import load_sources

from .conftest import lakehouse_defs, lakehouse_settings

JOB_ASSETS = [
    dg.AssetKey([layer, s.name]) for s in load_sources() for layer in ("bronze", "silver")
]


@pytest.fixture
def defs(tmp_path: Path) -> dg.Definitions:
    return lakehouse_defs(lakehouse_settings(tmp_path))


def _tick(
    defs: dg.Definitions, instance: dg.DagsterInstance, at: datetime
) -> dg.ScheduleExecutionData:
    schedule = defs.get_schedule_def(DAILY_SCHEDULE)
    context = dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=at,
        repository_def=defs.get_repository_def(),
    )
    return schedule.evaluate_tick(context)


def test_the_0200_tick_requests_yesterdays_partition(
    defs: dg.Definitions, instance: dg.DagsterInstance
) -> None:
    at = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0)
    [request] = _tick(defs, instance, at).run_requests
    yesterday = (at.date() - timedelta(days=1)).isoformat()
    assert request.partition_key == yesterday
    assert request.run_key == f"schedule:{yesterday}"
    assert request.tags["lakehouse/trigger"] == "schedule"


def test_the_day_is_the_utc_day_before_the_tick_whatever_the_clock_zone(
    defs: dg.Definitions, instance: dg.DagsterInstance
) -> None:
    today = datetime.now(UTC).date()
    # 01:30 at UTC+5 is 20:30 UTC the evening before: yesterday's UTC day is two days back.
    at = datetime(today.year, today.month, today.day, 1, 30, tzinfo=timezone(timedelta(hours=5)))
    [request] = _tick(defs, instance, at).run_requests
    assert request.partition_key == (today - timedelta(days=2)).isoformat()


def test_a_day_the_sensor_already_built_is_skipped(
    defs: dg.Definitions, instance: dg.DagsterInstance
) -> None:
    at = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0)
    yesterday = (at.date() - timedelta(days=1)).isoformat()
    for key in JOB_ASSETS[:-1]:
        instance.report_runless_asset_event(dg.AssetMaterialization(key, partition=yesterday))
    assert len(_tick(defs, instance, at).run_requests) == 1  # one table still missing
    instance.report_runless_asset_event(
        dg.AssetMaterialization(JOB_ASSETS[-1], partition=yesterday)
    )
    result = _tick(defs, instance, at)
    assert result.run_requests == [] and "already built" in result.skip_message


def test_schedules_are_stopped_in_dev_and_running_in_production(tmp_path: Path) -> None:
    dev = lakehouse_defs(lakehouse_settings(tmp_path))
    prod = lakehouse_defs(lakehouse_settings(tmp_path, LAKEHOUSE_SCHEDULES="on"))
    for name in (DAILY_SCHEDULE, MAINTENANCE_SCHEDULE):
        assert dev.get_schedule_def(name).default_status == dg.DefaultScheduleStatus.STOPPED
        assert prod.get_schedule_def(name).default_status == dg.DefaultScheduleStatus.RUNNING


def test_the_schedule_times_come_from_the_settings(tmp_path: Path) -> None:
    settings = lakehouse_settings(
        tmp_path, LAKEHOUSE_SCHEDULE_CRON="15 5 * * *", LAKEHOUSE_MAINTENANCE_CRON="0 4 * * 6"
    )
    defs = lakehouse_defs(settings)
    assert defs.get_schedule_def(DAILY_SCHEDULE).cron_schedule == "15 5 * * *"
    assert defs.get_schedule_def(MAINTENANCE_SCHEDULE).cron_schedule == "0 4 * * 6"
    assert defs.get_schedule_def(DAILY_SCHEDULE).execution_timezone == "UTC"
