"""The validation gate: a new model version becomes challenger only if every outcome passes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from lakehouse.ml.config import Gate
from lakehouse.quality.names import CheckName


@dataclass(frozen=True)
class GateOutcome:
    """One gate check: its name, whether it passed, why, and the figures it looked at."""

    check: CheckName
    passed: bool
    reason: str
    figures: Mapping[str, float | str] = field(default_factory=dict)


def _floors(metrics: Mapping[str, float], gate: Gate) -> GateOutcome:
    rules = (
        ("roc_auc", ">=", gate.min_roc_auc),
        ("pr_auc", ">=", gate.min_pr_auc),
        ("log_loss", "<=", gate.max_log_loss),
        ("calibration_error", "<=", gate.max_calibration_error),
    )
    failed = []
    for name, op, bound in rules:
        value = metrics.get(name, math.nan)
        ok = value >= bound if op == ">=" else value <= bound
        if math.isnan(value) or not ok:
            failed.append(f"{name} {value:.4f} not {op} {bound}")
    reason = "; ".join(failed) or "every metric meets its floor"
    return GateOutcome(CheckName.MODEL_METRIC_FLOORS, not failed, reason, dict(metrics))


def _versus(
    metrics: Mapping[str, float], champion: Mapping[str, float] | None, gate: Gate
) -> GateOutcome:
    if champion is None:
        return GateOutcome(CheckName.MODEL_VS_CHAMPION, True, "no champion yet: nothing to beat")
    mine, theirs = metrics.get("roc_auc", math.nan), champion.get("roc_auc", math.nan)
    ok = not math.isnan(mine) and mine >= theirs - gate.champion_margin
    reason = (
        f"ROC AUC {mine:.4f} vs champion {theirs:.4f} on the same test set "
        f"(margin {gate.champion_margin})"
    )
    figures = {"roc_auc": mine, "champion_roc_auc": theirs, "margin": gate.champion_margin}
    return GateOutcome(CheckName.MODEL_VS_CHAMPION, ok, reason, figures)


def _rate(metrics: Mapping[str, float], gate: Gate) -> GateOutcome:
    rate = metrics.get("prediction_rate", math.nan)
    low, high = gate.prediction_rate
    ok = low <= rate <= high
    reason = f"mean predicted churn {rate:.1%} (bounds {low:.0%}..{high:.0%})"
    return GateOutcome(CheckName.MODEL_PREDICTION_RATE, ok, reason, {"prediction_rate": rate})


def _features(missing: Sequence[str]) -> GateOutcome:
    reason = f"missing features: {', '.join(missing)}" if missing else "every feature present"
    return GateOutcome(
        CheckName.MODEL_FEATURES_PRESENT, not missing, reason, {"missing": ", ".join(missing)}
    )


def run_gate(
    metrics: Mapping[str, float],
    champion_metrics: Mapping[str, float] | None,
    missing: Sequence[str],
    gate: Gate,
) -> list[GateOutcome]:
    """The gate's outcomes for a candidate's test ``metrics``; ``champion_metrics`` are the
    champion's on the same test set (None when there is no champion)."""
    return [
        _floors(metrics, gate),
        _versus(metrics, champion_metrics, gate),
        _rate(metrics, gate),
        _features(missing),
    ]


def passed(outcomes: Sequence[GateOutcome]) -> bool:
    """True when every outcome passed."""
    return all(o.passed for o in outcomes)
