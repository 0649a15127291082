"""``lakehouse materialize --select group:ml``: the ML assets run headless in lifecycle order,
the daily ones once per landed day (the snapshots once per range of days), on a small lake."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import pytest
from tests.integration.ml.lake import generated_orders, land, registry_for

from lakehouse.lake import DeltaStore
from lakehouse.lake.resource import LakehouseResource
from lakehouse.ml import assets as ml
from lakehouse.ml import steps
from lakehouse.ml.config import Gate, ModelPolicy
from lakehouse.ml.defs import build_ml_defs
from lakehouse.ml.headless import LIFECYCLE, materialize_ml, ml_keys
from lakehouse.operations.alerts import AlertWebhook
from lakehouse.operations.selection import select_assets
from lakehouse.settings import load_settings

START = date(2026, 1, 1)
POLICY = ModelPolicy(horizon_days=2, test_days=2, gate=Gate(min_roc_auc=0.0, min_pr_auc=0.0))


def _ml_defs(tmp_path: Path, mlflow_template: Path) -> tuple[dg.Definitions, Path]:
    """The ML definitions on an empty lake under ``tmp_path`` with a fresh registry."""
    lake = tmp_path / "lake"
    settings = load_settings({"LAKEHOUSE_ROOT": str(lake), "LAKEHOUSE_LANDING": str(tmp_path)})
    registry_for(lake, mlflow_template)
    partitions = dg.DailyPartitionsDefinition(start_date=START.isoformat())
    lakehouse = LakehouseResource(root=str(lake), landing=str(tmp_path), pii_key="k")
    defs = dg.Definitions.merge(
        build_ml_defs(settings, partitions, POLICY),
        dg.Definitions(resources={"lakehouse": lakehouse, "alert_webhook": AlertWebhook()}),
    )
    return defs, lake


def test_the_ml_group_runs_in_lifecycle_order_for_the_landed_days(
    tmp_path: Path, mlflow_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    defs, lake = _ml_defs(tmp_path, mlflow_template)
    store = DeltaStore(str(lake))
    days = generated_orders(START, 10, 60, 5)
    for day, orders in days:
        land(store, [(day, orders)])

    keys = ml_keys(defs, select_assets(defs, "group:ml"))
    assert keys == list(LIFECYCLE)
    landed = [d for d, _ in days]
    instance = dg.DagsterInstance.ephemeral()
    assert materialize_ml(defs, instance, [ml.SNAPSHOTS], landed[:-2]) == []
    capsys.readouterr()

    failed = materialize_ml(defs, instance, [ml.CANARY, *keys[:4]], landed[-2:])

    assert failed == []
    lines = capsys.readouterr().out.splitlines()
    ran = [line.rsplit("  ", 2)[0] for line in lines]
    assert ran == [
        f"{landed[-2]}..{landed[-1]}  ml/churn_feature_snapshots",  # one run: a range
        "ml/churn_labels",
        "ml/churn_model",
        f"{landed[-2]}  gold/churn_scores",
        f"{landed[-1]}  gold/churn_scores",
        "ml/churn_canary",
    ]
    assert all(line.rsplit("  ", 2)[1] == "ok" for line in lines), lines
    assert store.read(steps.SCORES).num_rows > 0


def test_a_failing_step_stops_the_steps_after_it(tmp_path: Path, mlflow_template: Path) -> None:
    defs, _ = _ml_defs(tmp_path, mlflow_template)
    # No features mart at all: the snapshot fails, and nothing downstream is attempted.
    failed = materialize_ml(
        defs, dg.DagsterInstance.ephemeral(), [ml.SNAPSHOTS, ml.LABELS], [START]
    )
    assert failed == [f"{START}  ml/churn_feature_snapshots"]
