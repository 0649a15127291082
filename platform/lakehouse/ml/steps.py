"""The lifecycle's steps over the lake and the registry, without Dagster: the assets call
these, and so do the tests and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.lake import DeltaStore, WriteResult
from lakehouse.ml import canary, drift, lifecycle, training
from lakehouse.ml.config import FEATURES, SNAPSHOT, ModelPolicy
from lakehouse.ml.features import mart_as_of, missing_features, snapshot
from lakehouse.ml.gate import GateOutcome, run_gate
from lakehouse.ml.labels import churn_labels
from lakehouse.ml.registry import Registry, Version, code_version
from lakehouse.ml.scoring import score_day

SNAPSHOTS = ["ml", "churn_feature_snapshots"]
LABELS = ["ml", "churn_labels"]
SCORES = ["gold", "churn_scores"]
DRIFT = ["ml", "churn_drift"]
ORDERS = ["silver", "orders"]


class NoChampionError(LookupError):
    """Scoring needs a champion; none has been registered yet."""


@dataclass(frozen=True)
class Trained:
    """A training run: the registered version, its test metrics, the gate and the status."""

    version: Version
    metrics: dict[str, float]
    champion_metrics: dict[str, float] | None
    outcomes: list[GateOutcome]
    status: str
    split: training.Split


def snapshot_days(store: DeltaStore, first: date, last: date) -> WriteResult:
    """Write the features mart's snapshots of ``first``..``last`` into those days of the
    snapshots table, in one commit (a missing or leaking day writes nothing)."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    tables = []
    for day in days:
        mart, version = mart_as_of(store, day)
        tables.append(snapshot(mart, day, version))
    return store.replace_range(SNAPSHOTS, pa.concat_tables(tables), SNAPSHOT, first, last)


def snapshot_day(store: DeltaStore, day: date) -> WriteResult:
    """Write the features mart's snapshot of ``day`` into its partition of the snapshots table."""
    return snapshot_days(store, day, day)


def build_labels(store: DeltaStore, policy: ModelPolicy) -> WriteResult:
    """Rebuild the label table from every snapshot and ``silver/orders``."""
    orders = store.read(ORDERS, columns=["customer_id", "order_date", "status"])
    labels = churn_labels(store.read(SNAPSHOTS), orders, policy.horizon_days)
    metadata = {"silver/orders": str(store.table(ORDERS).version())}
    return store.overwrite(LABELS, labels, commit_metadata=metadata)


def _inputs(store: DeltaStore, data: pa.Table) -> dict[str, str]:
    marts = pc.unique(data.column("mart_version")).to_pylist()
    labels = store.table(LABELS)
    orders = next((c.get("silver/orders") for c in labels.history(1)), None)
    return {
        "input.ml/churn_feature_snapshots.version": str(store.table(SNAPSHOTS).version()),
        "input.ml/churn_labels.version": str(labels.version()),
        "input.gold/customer_churn_feature_snapshots.versions": ",".join(map(str, sorted(marts))),
        "input.silver/orders.version": str(orders),
    }


def train(
    store: DeltaStore, registry: Registry, policy: ModelPolicy, webhook_url: str = ""
) -> Trained:
    """Split, fit, evaluate, register a version with its data versions, and gate it."""
    snapshots = store.read(SNAPSHOTS)
    data = training.labelled(snapshots, store.read(LABELS))
    split = training.time_split(data, policy.test_days, policy.horizon_days)
    model = training.fit(split.train, policy)
    metrics = training.evaluate(model, split.test)
    champion = registry.champion()
    champion_metrics = None
    if champion is not None:
        champion_metrics = training.evaluate(registry.load(champion), split.test)
    params: dict[str, Any] = {
        **policy.params,
        "seed": policy.seed,
        "horizon_days": policy.horizon_days,
        "features": ",".join(FEATURES),
        "train_days": ",".join(d.isoformat() for d in split.train_days),
        "test_days": ",".join(d.isoformat() for d in split.test_days),
        "train_rows": split.train.num_rows,
        "reference_day": max(snapshots.column(SNAPSHOT).to_pylist()).isoformat(),
        **_inputs(store, data),
    }
    tags = {
        "mlflow.source.git.commit": code_version(),
        "train_days": params["train_days"],
        "test_days": params["test_days"],
    }
    logged = {**metrics, **{f"champion_{k}": v for k, v in (champion_metrics or {}).items()}}
    version = registry.log_training(model, params, logged, tags)
    outcomes = run_gate(metrics, champion_metrics, missing_features(split.test), policy.gate)
    status = lifecycle.accept(registry, store, version.version, outcomes, webhook_url)
    return Trained(version, metrics, champion_metrics, outcomes, status, split)


def score(store: DeltaStore, registry: Registry, day: date, policy: ModelPolicy) -> WriteResult:
    """Score every customer of ``day``'s snapshot: champion, and challenger on the canary."""
    champion = registry.champion()
    if champion is None:
        raise NoChampionError(
            "no champion model in the registry: materialise ml/churn_model first "
            "(or promote a version with lakehouse model promote VERSION)"
        )
    challenger = registry.challenger()
    features = store.read(SNAPSHOTS, filter_column=SNAPSHOT, filter_value=day)
    scored = score_day(
        features,
        day,
        (champion.version, registry.load(champion)),
        (challenger.version, registry.load(challenger)) if challenger else None,
        policy.canary.share,
    )
    return store.replace_partition(SCORES, scored, "score_date", day)


def judge_canary(
    store: DeltaStore, registry: Registry, policy: ModelPolicy, webhook_url: str = ""
) -> canary.CanaryResult | None:
    """The canary's verdict on matured labels, applied to the registry (None: no canary)."""
    challenger, champion = registry.challenger(), registry.champion()
    if challenger is None or champion is None or not store.exists(SCORES):
        return None
    rows = canary.canary_rows(store.read(SCORES), store.read(LABELS), challenger.version)
    result = canary.judge(rows, challenger.version, champion.version, policy.canary)
    lifecycle.apply_verdict(registry, store, result, webhook_url)
    return result


def _columns(table: pa.Table) -> dict[str, np.ndarray]:
    return {f: table.column(f).to_numpy(zero_copy_only=False) for f in FEATURES}


def measure_drift(
    store: DeltaStore, registry: Registry, day: date, policy: ModelPolicy
) -> tuple[list[drift.ColumnDrift], WriteResult]:
    """Drift of ``day``'s features and scores against the champion's training snapshot (the
    latest snapshot when it was trained: features drift as customers age, so the nearest)."""
    champion = registry.champion()
    if champion is None:
        raise NoChampionError("no champion model: nothing to measure drift against")
    reference_day = date.fromisoformat(champion.params["reference_day"])
    reference = store.read(SNAPSHOTS, filter_column=SNAPSHOT, filter_value=reference_day)
    live = store.read(SNAPSHOTS, filter_column=SNAPSHOT, filter_value=day)
    model = registry.load(champion)
    ref = {
        **_columns(reference),
        drift.PREDICTION: model.predict_proba(training.matrix(reference))[:, 1],
    }
    cur = {**_columns(live), drift.PREDICTION: model.predict_proba(training.matrix(live))[:, 1]}
    results = drift.drift(ref, cur, policy.drift.bins)
    rows = pa.table(
        {
            "score_date": pa.array([day] * len(results), pa.date32()),
            "column": [r.column for r in results],
            "psi": [r.psi for r in results],
            "ks_statistic": [r.ks_statistic for r in results],
            "ks_pvalue": [r.ks_pvalue for r in results],
            "reference_rows": [reference.num_rows] * len(results),
            "live_rows": [live.num_rows] * len(results),
        },
        schema=drift.DRIFT_SCHEMA,
    )
    return results, store.replace_partition(DRIFT, rows, "score_date", day)


def drift_history(store: DeltaStore, until: date, threshold: float) -> list[bool]:
    """Per scored day up to ``until`` (oldest first): whether any column's PSI exceeded
    ``threshold``."""
    if not store.exists(DRIFT):
        return []
    table = store.read(DRIFT)
    by_day: dict[date, bool] = {}
    for day, value in zip(
        table.column("score_date").to_pylist(), table.column("psi").to_pylist(), strict=True
    ):
        if day <= until:
            by_day[day] = by_day.get(day, False) or (value is not None and value > threshold)
    return [by_day[d] for d in sorted(by_day)]
