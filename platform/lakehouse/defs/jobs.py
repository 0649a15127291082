"""Jobs over the lakehouse layers."""

from __future__ import annotations

import dagster as dg

DAILY_JOB = "daily_lakehouse"


def daily_job(partitions: dg.PartitionsDefinition) -> dg.UnresolvedAssetJobDefinition:
    """Materialises one landing day through every layer."""
    return dg.define_asset_job(
        DAILY_JOB,
        selection=dg.AssetSelection.groups("bronze", "silver"),
        partitions_def=partitions,
        description="One landing day through bronze and silver.",
    )
