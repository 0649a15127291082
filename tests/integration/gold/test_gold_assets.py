"""The gold marts as Dagster assets: built in the daily run, tests as checks, Delta metadata."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pyarrow as pa
from deltalake import write_deltalake

from lakehouse.gold.dbt_parse_cache import ParseCache, ParseKey
from lakehouse.gold.project import DBT_PROJECT_DIR, project_files
from lakehouse.lake import DeltaStore
from lakehouse.lake.wap import staging_key

from ..conftest import DAYS, make_lakehouse


def _dbt_targets(run_id: str) -> list[Path]:
    """The dbt target folders the run's gold steps left (named ``<op>-<run id[:7]>-<uuid>``)."""
    return list((DBT_PROJECT_DIR / "target").glob(f"*-{run_id[:7]}-*"))


CLV = dg.AssetKey(["gold", "customer_lifetime_value"])
CHURN = dg.AssetKey(["gold", "customer_churn_features"])
SNAPSHOTS = dg.AssetKey(["gold", "customer_churn_feature_snapshots"])


def test_daily_run_builds_daily_marts_with_checks_and_delta_metadata(tmp_path: Path) -> None:
    lakehouse = make_lakehouse(tmp_path)
    result = lakehouse.materialize(DAYS[0])
    assert result.success
    assert not _dbt_targets(result.run_id), "a successful step keeps no dbt target folder"
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
    for mart in (SNAPSHOTS, CHURN):
        assert job.execute_in_process(instance=lakehouse.instance, asset_selection=[mart]).success
        assert store.exists(mart.path)


def _plant_negative_order(store: DeltaStore) -> None:
    """An order of a new customer with a negative total, written straight into silver (its
    contract forbids it): customer_lifetime_value's non_negative tests fail on that row."""
    orders = store.dataset(["silver", "orders"])
    row = orders.head(1).to_pylist()[0]
    row |= {"order_id": "PLANTED-1", "customer_id": "PLANTED-C", "status": "confirmed"}
    row |= {"order_total": Decimal("-5.00")}
    planted = pa.Table.from_pylist([row], schema=orders.schema)
    write_deltalake(store.uri(["silver", "orders"]), planted, mode="append")


def _check_evaluations(result: dg.ExecuteInProcessResult) -> list[dg.AssetCheckEvaluation]:
    return [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]


def test_a_failing_mart_test_keeps_the_published_version_and_says_why(tmp_path: Path) -> None:
    """Write-audit-publish through the real definitions. Passing: published, checks on the
    new materialisation, no candidate left. Failing: the mart whose error-severity test
    fails is not published (same Delta version, no materialisation), its candidate stays in
    staging, the check says which rows failed and why, and the step fails naming the mart and
    its test."""
    lakehouse = make_lakehouse(tmp_path)
    assert lakehouse.materialize(DAYS[0]).success
    job = lakehouse.defs.resolve_job_def("gold_history_marts")
    first = job.execute_in_process(instance=lakehouse.instance, asset_selection=[CLV])
    assert first.success
    # Published: checks come after the Output, so they evaluate the new materialisation.
    passed = [e for e in _check_evaluations(first) if e.asset_key == CLV]
    assert passed and all(e.passed for e in passed)
    assert {e.target_materialization_data.run_id for e in passed} == {first.run_id}
    store = DeltaStore(lakehouse.settings.root)
    assert not store.exists(staging_key(CLV.path))
    version = store.table(CLV.path).version()
    _plant_negative_order(store)

    result = job.execute_in_process(
        instance=lakehouse.instance, asset_selection=[CLV], raise_on_error=False
    )

    assert not result.success
    assert store.table(CLV.path).version() == version
    assert not result.get_asset_materialization_events()
    assert store.exists(staging_key(CLV.path))
    failed = {
        e.check_name: e for e in _check_evaluations(result) if e.asset_key == CLV and not e.passed
    }
    assert set(failed) == {
        "non_negative_customer_lifetime_value_lifetime_revenue",
        "non_negative_customer_lifetime_value_average_order_value",
    }
    evaluation = failed["non_negative_customer_lifetime_value_lifetime_revenue"]
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["dagster_dbt/failed_row_count"].value == 1
    assert evaluation.description is not None
    assert evaluation.description.startswith("1 row(s) fail non_negative(lifetime_revenue)")
    assert f"consumers still read Delta version {version}" in evaluation.description
    assert store.uri(staging_key(CLV.path)) in evaluation.description
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.step_failure_data.error.message
    assert "gold/customer_lifetime_value" in message
    assert "non_negative_customer_lifetime_value_lifetime_revenue" in message
    assert _dbt_targets(result.run_id), "a failed step keeps its dbt target for inspection"


def test_a_parse_after_a_build_in_this_process_reads_no_lakehouse(tmp_path: Path) -> None:
    """dbt-duckdb keeps an invocation's DuckDB environment process-wide, and a parse that
    finds one loads every plugin source through it: the earlier run's lakehouse root (another
    branch, store or environment; here removed) must not be read by a later parse."""
    lakehouse = make_lakehouse(tmp_path)
    assert lakehouse.materialize(DAYS[0]).success
    shutil.rmtree(lakehouse.settings.root)
    project = tmp_path / "dbt_project"  # a copy: its parse is not saved yet
    for path in project_files(DBT_PROJECT_DIR):
        copy = project / path.relative_to(DBT_PROJECT_DIR)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, copy)

    manifest = ParseCache().manifest(ParseKey(project, project))

    assert manifest is not None and "model.lakehouse.orders_daily" in manifest.nodes
