"""Training: a time split without leakage, and the same model for the same seed."""

from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pytest

from lakehouse.ml import training
from lakehouse.ml.config import ModelPolicy


def _data(days: int = 12, per_day: int = 60) -> pa.Table:
    rng = np.random.default_rng(0)
    n = days * per_day
    recency = rng.integers(0, 20, n).astype(float)
    return pa.table(
        {
            "snapshot_date": [date(2026, 1, 1) + timedelta(days=i // per_day) for i in range(n)],
            "customer_id": [f"C{i % per_day}" for i in range(n)],
            "recency_days": recency,
            "frequency": rng.integers(1, 9, n).astype(float),
            "monetary": rng.random(n) * 100,
            "churned": (recency + rng.normal(0, 4, n)) > 10,
        }
    )


def test_time_split_trains_only_on_labels_matured_before_the_test_days() -> None:
    split = training.time_split(_data(), test_days=3, horizon_days=4)
    assert split.test_days == tuple(date(2026, 1, d) for d in (10, 11, 12))
    assert max(split.train_days) == date(2026, 1, 6)  # 6 + 4 <= 10
    assert set(split.train.column("snapshot_date").to_pylist()) == set(split.train_days)


def test_too_few_days_is_an_error_that_says_what_to_do() -> None:
    with pytest.raises(training.NotEnoughDataError, match="land at least"):
        training.time_split(_data(days=5), test_days=3, horizon_days=4)


def test_training_is_reproducible_for_a_seed() -> None:
    split = training.time_split(_data(), test_days=3, horizon_days=2)
    first = training.fit(split.train, ModelPolicy(seed=3))
    again = training.fit(split.train, ModelPolicy(seed=3))
    x = training.matrix(split.test)
    np.testing.assert_array_equal(first.predict_proba(x), again.predict_proba(x))
    metrics = training.evaluate(first, split.test)
    assert metrics == training.evaluate(again, split.test)
    assert metrics["roc_auc"] > 0.7
