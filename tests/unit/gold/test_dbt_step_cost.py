"""Both dbt builds tell the threaded executor their own cost, so the chain leading to the
daily marts is started first (``operations/step_threads``)."""

from __future__ import annotations

from datetime import datetime

import dagster as dg

from lakehouse.gold.assets import build_gold_defs
from lakehouse.policy.assets import STEP_SECONDS_TAG


def test_both_dbt_builds_carry_their_own_cost() -> None:
    defs = build_gold_defs(dg.DailyPartitionsDefinition(start_date=datetime(2026, 1, 1)))
    builds = {
        a.node_def.name: a.node_def.tags
        for a in defs.assets or []
        if isinstance(a, dg.AssetsDefinition) and a.is_executable
    }
    assert set(builds) == {"gold_daily_marts", "gold_marts"}
    for name, tags in builds.items():
        assert float(tags[STEP_SECONDS_TAG]) > 1, name  # dbt's set-up outweighs a small step
