"""The daily partitioning shared by bronze and silver (the landing day, UTC)."""

from __future__ import annotations

from datetime import date

import dagster as dg


def daily_partitions(start: date) -> dg.DailyPartitionsDefinition:
    """One partition per landing day from ``start``; the newest is yesterday (a complete day)."""
    return dg.DailyPartitionsDefinition(start_date=start.isoformat(), timezone="UTC")


def partition_day(context: dg.AssetExecutionContext) -> date:
    """The run's partition as a date."""
    return date.fromisoformat(context.partition_key)
