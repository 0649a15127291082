"""The declared policy of the churn model: features, label horizon, gate, canary and drift."""

from __future__ import annotations

from dataclasses import dataclass, field

FEATURES = ("recency_days", "frequency", "monetary")
"""The model's inputs, columns of ``gold/customer_churn_feature_snapshots``."""
KEY = "customer_id"
SNAPSHOT = "snapshot_date"
MODEL_NAME = "churn"
"""The registered model's name in the MLflow registry."""
CHAMPION = "champion"
CHALLENGER = "challenger"
"""Registry aliases: the model that serves, and the one on canary."""


@dataclass(frozen=True)
class Gate:
    """What a new model version must pass to become the challenger (same test set as the
    champion's comparison)."""

    min_roc_auc: float = 0.55
    min_pr_auc: float = 0.05
    max_log_loss: float = 0.69
    """At most a coin's log loss."""
    max_calibration_error: float = 0.15
    champion_margin: float = 0.02
    """ROC AUC may be at most this much below the champion's on the same test set."""
    prediction_rate: tuple[float, float] = (0.01, 0.9)
    """Bounds on the mean predicted churn probability over the test customers."""


@dataclass(frozen=True)
class Canary:
    """How the challenger is tried on live traffic and judged on matured labels."""

    share: float = 0.10
    """Share of customers (by hash of the key) scored by the challenger."""
    min_labels: int = 200
    """Matured labels of canary customers needed before a decision."""
    promote_margin: float = 0.01
    """Promote when the challenger's ROC AUC beats the champion's by at least this."""


@dataclass(frozen=True)
class Drift:
    """Drift of live features and predictions against the training snapshot."""

    warn_psi: float = 0.25
    """PSI above which a column counts as drifted (0.25: the usual "significant shift")."""
    alert_psi: float = 0.4
    persist_days: int = 3
    """Days in a row above ``warn_psi`` after which the model is retrained."""
    bins: int = 10


@dataclass(frozen=True)
class ModelPolicy:
    """Everything declared about the churn model, in one place."""

    horizon_days: int = 14
    """A customer churned at a snapshot when they place no order in the next N days."""
    test_days: int = 3
    """The latest snapshot days with final labels form the test set; earlier ones train."""
    seed: int = 42
    params: dict[str, float | int] = field(
        default_factory=lambda: {"max_depth": 2, "learning_rate": 0.05, "n_estimators": 50}
    )
    gate: Gate = field(default_factory=Gate)
    canary: Canary = field(default_factory=Canary)
    drift: Drift = field(default_factory=Drift)


DEFAULT_POLICY = ModelPolicy()
