"""Scoring: the canary share is a stable hash of the key; rows name their model version."""

from datetime import date

import numpy as np
import pyarrow as pa

from lakehouse.ml.scoring import in_canary, score_day


class _Constant:
    def __init__(self, p: float) -> None:
        self.p = p

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return np.column_stack([np.full(len(x), 1 - self.p), np.full(len(x), self.p)])


def test_the_canary_share_is_deterministic_and_near_the_declared_share() -> None:
    keys = [f"C{i:05d}" for i in range(5000)]
    chosen = [k for k in keys if in_canary(k, 0.1)]
    assert chosen == [k for k in keys if in_canary(k, 0.1)]
    assert 0.08 < len(chosen) / len(keys) < 0.12


def test_rows_name_the_serving_version_and_keep_the_other_score() -> None:
    features = pa.table(
        {
            "customer_id": [f"C{i}" for i in range(200)],
            "recency_days": [1.0] * 200,
            "frequency": [2.0] * 200,
            "monetary": [3.0] * 200,
        }
    )
    day = date(2026, 2, 1)
    alone = score_day(features, day, ("1", _Constant(0.2)), None, 0.1)
    assert set(alone.column("model_version").to_pylist()) == {"1"}
    both = score_day(features, day, ("1", _Constant(0.2)), ("2", _Constant(0.7)), 0.1).to_pylist()
    for row in both:
        canary = in_canary(row["customer_id"], 0.1)
        assert row["model_version"] == ("2" if canary else "1")
        assert row["score"] == (0.7 if canary else 0.2)
        assert row["shadow_score"] == (0.2 if canary else 0.7)
