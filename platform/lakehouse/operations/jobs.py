"""Jobs over the lakehouse layers."""

from __future__ import annotations

import dagster as dg

from lakehouse.gold.project import PARTITIONED_MARTS

DAILY_JOB = "daily_lakehouse"
GOLD_HISTORY_JOB = "gold_history_marts"


def daily_job(partitions: dg.PartitionsDefinition) -> dg.UnresolvedAssetJobDefinition:
    """One landing day through bronze, silver and the daily-partitioned gold marts."""
    gold = [dg.AssetKey(["gold", mart]) for mart in PARTITIONED_MARTS]
    return dg.define_asset_job(
        DAILY_JOB,
        selection=dg.AssetSelection.groups("bronze", "silver") | dg.AssetSelection.assets(*gold),
        partitions_def=partitions,
        description="One landing day through bronze, silver and the daily gold marts.",
    )


def gold_history_job() -> dg.UnresolvedAssetJobDefinition:
    """The unpartitioned gold marts (whole customer history), rebuilt in full."""
    return dg.define_asset_job(
        GOLD_HISTORY_JOB,
        selection=dg.AssetSelection.groups("gold")
        - dg.AssetSelection.assets(*[dg.AssetKey(["gold", m]) for m in PARTITIONED_MARTS]),
        description="Customer lifetime value and churn features, over all history.",
    )
