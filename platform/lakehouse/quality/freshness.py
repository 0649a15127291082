"""Freshness SLAs from the contracts, as Dagster freshness policies on the silver assets."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from lakehouse.sources import SourceSpec


def freshness_policy(spec: SourceSpec) -> dg.FreshnessPolicy:
    """The table's SLA, evaluated by the daemon.

    With a ``deadline``: updated each day by that UTC time, within ``max_lag_hours`` (at most
    24) before it. Without: never older than ``max_lag_hours``.
    """
    freshness = spec.quality.freshness
    lag = timedelta(hours=freshness.max_lag_hours)
    if freshness.deadline:
        hour, minute = freshness.deadline.split(":")
        return dg.FreshnessPolicy.cron(
            deadline_cron=f"{int(minute)} {int(hour)} * * *",
            lower_bound_delta=min(lag, timedelta(hours=24)),
            timezone="UTC",
        )
    return dg.FreshnessPolicy.time_window(fail_window=lag)
