"""The gold marts as Dagster assets: built in the daily run, tests as checks, Delta metadata."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from lakehouse.lake import DeltaStore

from ..conftest import DAYS, make_lakehouse

CLV = dg.AssetKey(["gold", "customer_lifetime_value"])
CHURN = dg.AssetKey(["gold", "customer_churn_features"])


def test_daily_run_builds_daily_marts_with_checks_and_delta_metadata(tmp_path: Path) -> None:
    lakehouse = make_lakehouse(tmp_path)
    result = lakehouse.materialize(DAYS[0])
    assert result.success
    events = {
        e.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    metadata = events["gold/orders_daily"]
    assert metadata["dagster/row_count"].value > 0
    assert metadata["delta_version"].value >= 0
    assert metadata["dagster/uri"].value.endswith("gold/orders_daily")
    checks = {
        (data.asset_key.to_user_string(), data.check_name)
        for data in (
            e.event_specific_data
            for e in result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION"
        )
    }
    assert any(key == "gold/orders_daily" and "not_null" in name for key, name in checks)
    assert DeltaStore(lakehouse.settings.root).exists(["gold", "orders_daily"])


def test_one_whole_history_mart_builds_alone_before_its_dependants_exist(tmp_path: Path) -> None:
    """Automation may request customer_lifetime_value alone: tests on marts not built yet
    (churn's reference to it) must not be pulled into that dbt run."""
    lakehouse = make_lakehouse(tmp_path)
    assert lakehouse.materialize(DAYS[0]).success
    job = lakehouse.defs.resolve_job_def("gold_history_marts")
    result = job.execute_in_process(instance=lakehouse.instance, asset_selection=[CLV])
    assert result.success
    store = DeltaStore(lakehouse.settings.root)
    assert store.exists(CLV.path)
    assert not store.exists(CHURN.path)
    assert job.execute_in_process(instance=lakehouse.instance, asset_selection=[CHURN]).success
    assert store.exists(CHURN.path)
