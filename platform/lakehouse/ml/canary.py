"""The canary's verdict: challenger and champion compared on the same canary customers, once
enough of their labels have matured; promote when better by the margin, else archive."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pyarrow as pa

from lakehouse.lake import duck
from lakehouse.ml.config import Canary


class Verdict(StrEnum):
    """What the canary decided."""

    WAIT = "wait"
    PROMOTE = "promote"
    ARCHIVE = "archive"


@dataclass(frozen=True)
class CanaryResult:
    """The verdict, the figures behind it and the versions it concerns."""

    verdict: Verdict
    reason: str
    challenger: str
    champion: str
    labels: int
    challenger_auc: float | None = None
    champion_auc: float | None = None


def canary_rows(scores: pa.Table, labels: pa.Table, challenger: str) -> pa.Table:
    """Rows the challenger served, with the champion's shadow score and the final label."""
    con = duck.connect()
    try:
        con.register("s", scores)
        con.register("l", labels)
        return con.sql(
            """
            select s.score_date, s.customer_id, s.score as challenger_score,
                   s.shadow_score as champion_score, s.shadow_version as champion_version,
                   l.churned
            from s
            join l on l.snapshot_date = s.score_date and l.customer_id = s.customer_id
            where s.model_version = $version and s.model_role = 'challenger' and l.is_final
            """,
            params={"version": challenger},
        ).to_arrow_table()
    finally:
        con.close()


def judge(rows: pa.Table, challenger: str, champion: str, policy: Canary) -> CanaryResult:
    """The verdict on ``rows`` from :func:`canary_rows` (only those the champion shadowed)."""
    versions = rows.column("champion_version").to_pylist()
    keep = pa.array([v == champion for v in versions], pa.bool_())
    rows = rows.filter(keep)
    n = rows.num_rows
    if n < policy.min_labels:
        reason = f"{n} matured canary labels of {policy.min_labels} needed"
        return CanaryResult(Verdict.WAIT, reason, challenger, champion, n)
    y = np.asarray(rows.column("churned").to_pylist(), dtype=np.int64)
    if len(set(y.tolist())) < 2:
        reason = f"{n} matured canary labels, all of one class: waiting for both outcomes"
        return CanaryResult(Verdict.WAIT, reason, challenger, champion, n)
    from sklearn.metrics import roc_auc_score  # here: the definitions load without sklearn

    mine = float(roc_auc_score(y, rows.column("challenger_score").to_numpy()))
    theirs = float(roc_auc_score(y, rows.column("champion_score").to_numpy()))
    better = mine >= theirs + policy.promote_margin
    verdict = Verdict.PROMOTE if better else Verdict.ARCHIVE
    reason = (
        f"on {n} canary customers: challenger v{challenger} ROC AUC {mine:.4f}, champion "
        f"v{champion} {theirs:.4f} (promote margin {policy.promote_margin})"
    )
    return CanaryResult(verdict, reason, challenger, champion, n, mine, theirs)
