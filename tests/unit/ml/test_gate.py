"""The gate: floors, the champion margin, prediction rate bounds, features present."""

from lakehouse.ml.config import Gate
from lakehouse.ml.gate import passed, run_gate
from lakehouse.quality.names import CheckName

GOOD = {
    "roc_auc": 0.8,
    "pr_auc": 0.5,
    "log_loss": 0.4,
    "calibration_error": 0.05,
    "prediction_rate": 0.3,
}


def _failed(outcomes: list) -> set[CheckName]:
    return {o.check for o in outcomes if not o.passed}


def test_a_good_first_model_passes() -> None:
    assert passed(run_gate(GOOD, None, [], Gate()))


def test_worse_than_the_champion_by_more_than_the_margin_is_rejected() -> None:
    outcomes = run_gate(GOOD, {**GOOD, "roc_auc": 0.85}, [], Gate(champion_margin=0.02))
    assert _failed(outcomes) == {CheckName.MODEL_VS_CHAMPION}
    assert passed(run_gate(GOOD, {**GOOD, "roc_auc": 0.81}, [], Gate(champion_margin=0.02)))


def test_floors_rate_and_missing_features_fail_their_checks() -> None:
    bad = {**GOOD, "roc_auc": 0.5, "prediction_rate": 0.999}
    outcomes = run_gate(bad, None, ["monetary"], Gate())
    assert _failed(outcomes) == {
        CheckName.MODEL_METRIC_FLOORS,
        CheckName.MODEL_PREDICTION_RATE,
        CheckName.MODEL_FEATURES_PRESENT,
    }
    assert "roc_auc 0.5000 not >= 0.55" in outcomes[0].reason
