"""Batch scoring: every customer by the champion, a hashed share by the challenger.

A customer's canary membership depends only on its key (``sha256``), so the same customers
stay on the challenger every day of the canary. Each row names the model version that served
it and keeps the other model's score (``shadow_score``), so both can be compared later on the
same customers.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa

from lakehouse.ml.config import CHALLENGER, CHAMPION, KEY
from lakehouse.ml.training import matrix

SCORES_SCHEMA = pa.schema(
    [
        ("score_date", pa.date32()),
        (KEY, pa.string()),
        ("score", pa.float64()),
        ("model_version", pa.string()),
        ("model_role", pa.string()),
        ("shadow_score", pa.float64()),
        ("shadow_version", pa.string()),
    ]
)

SCORES_COLUMNS = {
    "score_date": "The day scored (the partition).",
    KEY: "The customer scored.",
    "score": "Churn probability from the model named in model_version.",
    "model_version": "Registry version of the model that produced score.",
    "model_role": "champion, or challenger for the canary share of customers.",
    "shadow_score": "The other model's probability for the same customer (canary comparison).",
    "shadow_version": "Registry version of the model behind shadow_score.",
}
"""What each column of ``gold/churn_scores`` means (shown in the Dagster UI)."""


def in_canary(key: str, share: float) -> bool:
    """Whether ``key`` belongs to the canary share (a stable hash of the key)."""
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def score_day(
    features: pa.Table,
    day: date,
    champion: tuple[str, Any],
    challenger: tuple[str, Any] | None,
    share: float,
) -> pa.Table:
    """Scores of ``features`` (one snapshot day); ``champion`` and ``challenger`` are
    ``(version, model)``. Without a challenger every row is the champion's."""
    n = features.num_rows
    x = matrix(features)
    keys = features.column(KEY).to_pylist()
    champion_p = champion[1].predict_proba(x)[:, 1] if n else np.zeros(0)
    if challenger is None:
        served = champion_p
        canary = np.zeros(n, dtype=bool)
        shadow = pa.nulls(n, pa.float64())
        shadow_version = pa.nulls(n, pa.string())
        version = [champion[0]] * n
    else:
        challenger_p = challenger[1].predict_proba(x)[:, 1] if n else np.zeros(0)
        canary = np.array([in_canary(k, share) for k in keys], dtype=bool)
        served = np.where(canary, challenger_p, champion_p)
        shadow = pa.array(np.where(canary, champion_p, challenger_p), pa.float64())
        version = [challenger[0] if c else champion[0] for c in canary]
        shadow_version = pa.array([champion[0] if c else challenger[0] for c in canary])
    return pa.table(
        {
            "score_date": pa.array([day] * n, pa.date32()),
            KEY: pa.array(keys, pa.string()),
            "score": pa.array(served, pa.float64()),
            "model_version": pa.array(version, pa.string()),
            "model_role": pa.array([CHALLENGER if c else CHAMPION for c in canary], pa.string()),
            "shadow_score": shadow,
            "shadow_version": shadow_version,
        },
        schema=SCORES_SCHEMA,
    )
