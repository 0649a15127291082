"""Training: a time-based split of labelled snapshots, a seeded fit, and the metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from lakehouse.lake import duck
from lakehouse.ml.config import FEATURES, ModelPolicy

if TYPE_CHECKING:
    from sklearn.ensemble import GradientBoostingClassifier

# scikit-learn is imported where a model is fitted or judged, not with the module: every
# process that loads the definitions (UI, daemon, each run) would pay ~2-3 s for it.


class NotEnoughDataError(ValueError):
    """Too few labelled snapshot days for a leakage-free split."""


@dataclass(frozen=True)
class Split:
    """Training and test rows; every train label matured before the first test snapshot."""

    train: pa.Table
    test: pa.Table
    train_days: tuple[date, ...]
    test_days: tuple[date, ...]


def labelled(snapshots: pa.Table, labels: pa.Table) -> pa.Table:
    """Snapshot features joined to their final labels (provisional labels are left out)."""
    con = duck.connect()
    try:
        con.register("s", snapshots)
        con.register("l", labels)
        return con.sql(
            "select s.*, l.churned from s join l using (snapshot_date, customer_id) "
            "where l.is_final order by s.snapshot_date, s.customer_id"
        ).to_arrow_table()
    finally:
        con.close()


def time_split(data: pa.Table, test_days: int, horizon_days: int) -> Split:
    """The last ``test_days`` snapshot days test; train on days whose labels matured by the
    first test day (``day + horizon <= first test day``), so no train label sees test time."""
    days = sorted(set(data.column("snapshot_date").to_pylist()))
    if len(days) <= test_days:
        raise NotEnoughDataError(
            f"{len(days)} snapshot days with final labels; need more than {test_days} "
            "(land more days, or wait for labels to mature)"
        )
    test = tuple(days[-test_days:])
    train = tuple(d for d in days if d + timedelta(days=horizon_days) <= test[0])
    if not train:
        raise NotEnoughDataError(
            f"no snapshot day's labels matured by the first test day {test[0]} "
            f"(horizon {horizon_days} days): land at least {horizon_days + test_days + 1} days"
        )
    column = data.column("snapshot_date").to_pylist()
    train_mask = pa.array([d in train for d in column])
    test_mask = pa.array([d in test for d in column])
    return Split(data.filter(train_mask), data.filter(test_mask), train, test)


def matrix(table: pa.Table) -> np.ndarray:
    """The feature matrix (rows x ``FEATURES``), nulls as NaN."""
    return np.column_stack(
        [table.column(f).cast(pa.float64()).to_numpy(zero_copy_only=False) for f in FEATURES]
    ).astype(np.float64)


def target(table: pa.Table) -> np.ndarray:
    """The labels as 0/1."""
    return np.asarray(table.column("churned").to_pylist(), dtype=np.int64)


def fit(train: pa.Table, policy: ModelPolicy) -> GradientBoostingClassifier:
    """A gradient-boosted classifier fitted on ``train``; the same data and seed give the same
    model. (Not the histogram variant: its OpenMP predict costs ~0.5 s a call on a busy 2-core
    machine, and the data here is small.)"""
    y = target(train)
    if len(set(y.tolist())) < 2:
        raise NotEnoughDataError("the training labels hold one class only: land more days")
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(random_state=policy.seed, **policy.params)  # type: ignore[arg-type]
    return model.fit(matrix(train), y)


def calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error: the bin-weighted gap between mean score and churn rate."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            error += inside.mean() * abs(p[inside].mean() - y[inside].mean())
    return float(error)


def evaluate(model: Any, test: pa.Table) -> dict[str, float]:
    """ROC AUC, PR AUC, log loss, Brier score, calibration error and prediction rate."""
    from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

    y = target(test)
    p = model.predict_proba(matrix(test))[:, 1]
    two_classes = len(set(y.tolist())) == 2
    return {
        "roc_auc": float(roc_auc_score(y, p)) if two_classes else float("nan"),
        "pr_auc": float(average_precision_score(y, p)) if two_classes else float("nan"),
        "log_loss": float(log_loss(y, p, labels=[0, 1])),
        "brier": float(brier_score_loss(y, p)),
        "calibration_error": calibration_error(y, p),
        "prediction_rate": float(p.mean()),
        "base_rate": float(y.mean()),
        "test_rows": float(len(y)),
    }
