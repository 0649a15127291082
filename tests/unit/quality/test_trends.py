"""Volume and distribution drift: pass on the usual, fail on the unusual."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from lakehouse.quality.trends import check_volume, population_stability_index

DAY = date(2026, 1, 10)
HISTORY = {DAY - timedelta(days=n): 1000 for n in range(1, 8)}


def test_volume_within_the_band_passes() -> None:
    outcome = check_volume(HISTORY, DAY, 1200, window=7, tolerance=0.5)
    assert outcome.passed
    assert outcome.threshold == "500..1500"


def test_volume_collapse_fails_without_blocking() -> None:
    outcome = check_volume(HISTORY, DAY, 100, window=7, tolerance=0.5)
    assert not outcome.passed
    assert not outcome.blocking
    assert outcome.observed == 100


def test_volume_without_history_passes() -> None:
    assert check_volume({}, DAY, 5, window=7, tolerance=0.5).passed


def test_psi_is_small_for_the_same_distribution_and_large_for_a_shift() -> None:
    rng = np.random.default_rng(1)
    reference = pa.array(rng.lognormal(4, 0.5, 5000))
    same = pa.array(rng.lognormal(4, 0.5, 5000))
    shifted = pa.array(rng.lognormal(5, 0.5, 5000))
    assert population_stability_index(reference, same) < 0.05
    assert population_stability_index(reference, shifted) > 0.25
