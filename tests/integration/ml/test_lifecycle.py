"""The model lifecycle on generated data, end to end through the registry: a champion, drift
after a behaviour shift (and not before), a worse version rejected by the gate, a better one
canaried and promoted, a challenger that loses its canary archived, and a rollback by hand."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from tests.integration.ml.lake import generated_orders, land, registry_for

from lakehouse.cli import main
from lakehouse.datagen.behaviour import BehaviourShift
from lakehouse.lake import DeltaStore
from lakehouse.ml import steps
from lakehouse.ml.audit import events
from lakehouse.ml.canary import Verdict
from lakehouse.ml.config import Canary, Gate, ModelPolicy
from lakehouse.ml.registry import Registry
from lakehouse.quality.names import CheckName

START = date(2026, 1, 1)
SHIFT = BehaviourShift(date(2026, 1, 21), "US", 0.0)
# Before the shift, generated customers order at random (memoryless): little signal to learn.
FLOORS = Gate(min_roc_auc=0.5, min_pr_auc=0.05)
POLICY = ModelPolicy(
    horizon_days=3, test_days=3, gate=FLOORS, canary=Canary(share=0.25, min_labels=100)
)
CONSTANT = {"n_estimators": 1, "max_depth": 1, "min_samples_leaf": 100_000}
"""Parameters that cannot split: a model that predicts the base rate for everyone."""


def _land_and_score(
    store: DeltaStore, registry: Registry, days: list, policy: ModelPolicy, score: bool = True
) -> list[bool]:
    """Land days; snapshot, score and measure drift each day; whether each day drifted."""
    drifted = []
    for day, orders in days:
        land(store, [(day, orders)])
        steps.snapshot_day(store, day)
        if not score:
            continue
        steps.score(store, registry, day, policy)
        found, _ = steps.measure_drift(store, registry, day, policy)
        drifted.append(max(r.psi for r in found) > policy.drift.warn_psi)
    steps.build_labels(store, policy)
    return drifted


def test_model_lifecycle(
    tmp_path: Path,
    mlflow_template: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lake = tmp_path / "lake"
    store = DeltaStore(str(lake))
    registry = registry_for(lake, mlflow_template)  # where the dev settings put it
    days = generated_orders(START, 48, 150, 7, SHIFT)
    for day, orders in days[:14]:
        land(store, [(day, orders)])
        steps.snapshot_day(store, day)
    steps.build_labels(store, POLICY)

    # The first version: registered with its data versions and code version, champion.
    first = steps.train(store, registry, POLICY)
    assert first.status == "champion", first.outcomes
    params = first.version.params
    assert params["input.ml/churn_feature_snapshots.version"] == "13"
    assert params["input.silver/orders.version"] == "13"
    assert params["input.gold/customer_churn_feature_snapshots.versions"].startswith("0,1,")
    assert first.version.tags["mlflow.source.git.commit"] != ""
    assert max(first.split.train_days) + timedelta(days=3) <= min(first.split.test_days)
    assert {"roc_auc", "pr_auc", "log_loss", "calibration_error"} <= set(first.metrics)

    # Scored days before the shift do not drift; days well after it do.
    before = _land_and_score(store, registry, days[14:20], POLICY)
    _land_and_score(store, registry, days[20:30], POLICY, score=False)
    after = _land_and_score(store, registry, days[30:36], POLICY)
    assert not any(before), before
    assert all(after), after
    scores = store.read(steps.SCORES)
    assert set(scores.column("model_version").to_pylist()) == {first.version.version}

    # A worse version (one that predicts the base rate) is rejected by the gate.
    stump = replace(POLICY, params=CONSTANT)
    worse = steps.train(store, registry, stump)
    assert worse.status == "rejected"
    failed = {o.check for o in worse.outcomes if not o.passed}
    assert CheckName.MODEL_METRIC_FLOORS in failed  # ROC AUC 0.5: below the floor
    assert registry.challenger() is None

    # Retrained on the shifted data: better on the same test set, so it goes on canary.
    better = steps.train(store, registry, POLICY)
    assert better.status == "challenger", better.outcomes
    assert better.champion_metrics is not None
    assert better.metrics["roc_auc"] > better.champion_metrics["roc_auc"]
    _land_and_score(store, registry, days[36:42], POLICY)
    canary = store.read(steps.SCORES).to_pylist()
    served = {r["model_version"] for r in canary if r["score_date"] >= days[36][0]}
    assert served == {first.version.version, better.version.version}
    result = steps.judge_canary(store, registry, POLICY)
    assert result is not None and result.verdict is Verdict.PROMOTE, result
    champion = registry.champion()
    assert champion is not None and champion.version == better.version.version
    assert registry.challenger() is None

    # A challenger that passes a loose gate but loses on live traffic is archived.
    anything = Gate(0.0, 0.0, 10.0, 1.0, champion_margin=1.0, prediction_rate=(0.0, 1.0))
    loose = replace(stump, gate=anything)
    weak = steps.train(store, registry, loose)
    assert weak.status == "challenger", weak.outcomes
    _land_and_score(store, registry, days[42:48], POLICY)
    verdict = steps.judge_canary(store, registry, POLICY)
    assert verdict is not None and verdict.verdict is Verdict.ARCHIVE, verdict
    champion = registry.champion()
    assert champion is not None and champion.version == better.version.version
    assert registry.challenger() is None

    # By hand: roll the champion back to the first version; every decision is in the trail.
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(lake))
    monkeypatch.setenv("LAKEHOUSE_LANDING", str(tmp_path / "landing"))
    assert main(["model", "rollback", "--reason", "check"]) == 0
    assert main(["model", "status"]) == 0
    out = capsys.readouterr().out
    assert f"v{first.version.version} is the champion again" in out
    assert re.search(rf"^\s+{first.version.version}\s+champion\s+champion\b", out, re.M), out
    actions = events(store).column("action").to_pylist()
    assert actions == [
        "champion",
        "rejected",
        "challenger",
        "promoted",
        "challenger",
        "archived",
        "rolled_back",
    ]


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])
