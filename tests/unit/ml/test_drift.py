"""Drift: PSI near zero for the same distribution, large for a shifted one."""

import numpy as np

from lakehouse.ml.drift import drift, persistent, report


def test_psi_separates_a_shift_from_noise() -> None:
    rng = np.random.default_rng(1)
    reference = {"x": rng.normal(0, 1, 2000)}
    same = drift(reference, {"x": rng.normal(0, 1, 2000)})[0]
    moved = drift(reference, {"x": rng.normal(1, 1, 2000)})[0]
    assert same.psi < 0.05 and same.ks_pvalue > 0.01
    assert moved.psi > 0.25 and moved.ks_pvalue < 1e-6
    assert "| x |" in report([same], warn=0.25)


def test_drift_persists_only_after_enough_days_in_a_row() -> None:
    assert not persistent([True, True, False], 2)
    assert persistent([False, True, True], 2)
