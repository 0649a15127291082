"""The ML assets in Dagster: materialised in process on a small lake, their gate checks and
drift check reported on the model and drift assets, and lineage from silver to drift."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
from tests.integration.ml.lake import generated_orders, land, registry_for

from lakehouse.lake import DeltaStore
from lakehouse.lake.resource import LakehouseResource
from lakehouse.ml import assets as ml
from lakehouse.ml import steps
from lakehouse.ml.config import Gate, ModelPolicy
from lakehouse.ml.defs import build_ml_defs
from lakehouse.ml.resource import MlflowResource
from lakehouse.operations.alerts import AlertWebhook
from lakehouse.quality.names import CheckName
from lakehouse.settings import load_settings

START = date(2026, 1, 1)
POLICY = ModelPolicy(horizon_days=2, test_days=2, gate=Gate(min_roc_auc=0.0, min_pr_auc=0.0))


def test_ml_assets_materialise_with_checks_and_lineage(
    tmp_path: Path, mlflow_template: Path
) -> None:
    lake = tmp_path / "lake"
    settings = load_settings({"LAKEHOUSE_ROOT": str(lake), "LAKEHOUSE_LANDING": str(tmp_path)})
    assert settings.mlflow is not None
    assert settings.mlflow.tracking_uri == f"sqlite:///{lake}/mlflow/mlflow.db"
    registry_for(lake, mlflow_template)  # the migrated, empty database at the settings' path
    partitions = dg.DailyPartitionsDefinition(start_date=START.isoformat())
    defs = build_ml_defs(settings, partitions, POLICY)
    store = DeltaStore(str(lake))
    days = generated_orders(START, 12, 80, 3)
    for day, orders in days:
        land(store, [(day, orders)])
        steps.snapshot_day(store, day)
    resources = {
        "lakehouse": LakehouseResource(root=str(lake), landing=str(tmp_path), pii_key="k"),
        "mlflow": MlflowResource.from_settings(settings),
        "alert_webhook": AlertWebhook(),
    }
    found = [*defs.assets, *defs.asset_checks]  # type: ignore[misc]
    instance = dg.DagsterInstance.ephemeral()

    whole = dg.materialize(
        found, resources=resources, instance=instance, selection=[ml.LABELS, ml.MODEL]
    )
    checks = {e.check_name: e.passed for e in whole.get_asset_check_evaluations()}
    assert {str(c): True for c in ml.GATE_CHECKS}.items() <= checks.items()
    model = whole.asset_materializations_for_node("ml__churn_model")[0].metadata
    assert model["status"].value == "champion"
    assert "input.ml/churn_feature_snapshots.version" in model

    last = days[-1][0].isoformat()
    daily = dg.materialize(
        found,
        resources=resources,
        instance=instance,
        partition_key=last,
        selection=[ml.SNAPSHOTS, ml.SCORES, ml.DRIFT],
    )
    drift = {e.check_name: e for e in daily.get_asset_check_evaluations()}
    assert str(CheckName.FEATURE_DRIFT) in drift
    report = daily.asset_materializations_for_node("ml__churn_drift")[0].metadata["report"]
    assert "| recency_days |" in report.value  # type: ignore[operator]
    assert store.read(steps.SCORES).num_rows > 0

    parents = {k: d for a in defs.assets for k, d in a.asset_deps.items()}  # type: ignore[union-attr]
    assert ml.ORDERS in parents[ml.LABELS] and ml.FEATURES_MART in parents[ml.SNAPSHOTS]
    assert ml.MODEL in parents[ml.SCORES] and ml.SCORES in parents[ml.DRIFT]
