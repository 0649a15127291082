"""Jobs over the lakehouse layers."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import dagster as dg

from lakehouse.gold.project import PARTITIONED_MARTS

DAILY_JOB = "daily_lakehouse"
GOLD_HISTORY_JOB = "gold_history_marts"


def daily_gold_keys() -> list[dg.AssetKey]:
    """The daily-partitioned gold marts, which the daily job builds after silver."""
    return [dg.AssetKey(["gold", mart]) for mart in PARTITIONED_MARTS]


def daily_run_keys(sources: Sequence[str], *, with_gold: bool) -> list[dg.AssetKey]:
    """The assets of a daily run over ``sources``: their bronze and silver, and the daily gold
    marts when every source is in the run.

    A run names its assets even when it builds the whole job: declarative automation only
    recognises a parent update as made by a run that also built the child when the run's asset
    selection names the child (a run without a selection names nothing), and otherwise
    requests the child again whenever its tick sees the parent updated before the child.
    """
    layers = [dg.AssetKey([layer, s]) for s in sources for layer in ("bronze", "silver")]
    return layers + (daily_gold_keys() if with_gold else [])


def daily_job() -> dg.UnresolvedAssetJobDefinition:
    """One landing day through bronze, silver and the daily-partitioned gold marts (the
    partitions are the selected assets')."""
    # Intended, so not worth a warning on every load: bronze and silver build a backfill in
    # runs of up to 31 days (multi_run), the daily marts a whole backfill range in one dbt run
    # (single_run). A landing day is one partition, one run; a range passed as the run's
    # partition range tags (``lakehouse materialize --by-range``) runs every layer over it.
    warnings.filterwarnings(
        "ignore",
        message=f"Asset job {DAILY_JOB} materializes assets with varying BackfillPolicies",
        category=UserWarning,
    )
    return dg.define_asset_job(
        DAILY_JOB,
        selection=dg.AssetSelection.groups("bronze", "silver")
        | dg.AssetSelection.assets(*daily_gold_keys()),
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
