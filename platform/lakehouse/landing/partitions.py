"""The daily partitioning shared by bronze and silver (the landing day, UTC)."""

from datetime import UTC, date, datetime

import dagster as dg

from lakehouse.landing.days import find_landed_days
from lakehouse.settings import Environment, Settings


def partition_start(settings: Settings) -> date:
    """The first daily partition: ``LAKEHOUSE_START_DATE`` when set; in dev otherwise the first
    landed day (so the UI's partition bar covers the data, not every day since 2025-01-01);
    else the default start date."""
    if settings.env is Environment.DEV and not settings.start_date_from_env:
        today = datetime.now(UTC).date()
        landed = find_landed_days(settings.landing, today, settings.storage_options).days
        if landed:
            return landed[0]
    return settings.start_date


def daily_partitions(start: date) -> dg.DailyPartitionsDefinition:
    """One partition per landing day from ``start``; the newest is yesterday (a complete day)."""
    return dg.DailyPartitionsDefinition(start_date=start.isoformat(), timezone="UTC")


def partition_day(context: dg.AssetExecutionContext) -> date:
    """The run's partition as a date."""
    return date.fromisoformat(context.partition_key)
