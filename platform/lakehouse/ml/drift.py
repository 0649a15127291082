"""Drift of live features and predictions against the training snapshot: the population
stability index over the reference's deciles, and the two-sample Kolmogorov-Smirnov test."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

PREDICTION = "prediction"
"""The drift row for the model's scores."""
DRIFT_SCHEMA = pa.schema(
    [
        ("score_date", pa.date32()),
        ("column", pa.string()),
        ("psi", pa.float64()),
        ("ks_statistic", pa.float64()),
        ("ks_pvalue", pa.float64()),
        ("reference_rows", pa.int64()),
        ("live_rows", pa.int64()),
    ]
)


@dataclass(frozen=True)
class ColumnDrift:
    """One column's drift and the binned shares behind it (for the report)."""

    column: str
    psi: float
    ks_statistic: float
    ks_pvalue: float
    edges: tuple[float, ...]
    reference_share: tuple[float, ...]
    live_share: tuple[float, ...]


def _clean(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    return values[~np.isnan(values)]


def psi(reference: np.ndarray, live: np.ndarray, bins: int = 10) -> ColumnDrift:
    """PSI over the reference's quantile bins (shares floored at 1e-4) and the KS test."""
    ref, cur = _clean(reference), _clean(live)
    if not len(ref) or not len(cur):
        return ColumnDrift("", float("nan"), float("nan"), float("nan"), (), (), ())
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1]))
    ref_share = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
    cur_share = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1)
    p = np.maximum(ref_share / len(ref), 1e-4)
    q = np.maximum(cur_share / len(cur), 1e-4)
    index = float(np.sum((q - p) * np.log(q / p)))
    from scipy.stats import ks_2samp  # here, not at import: the definitions load without it

    ks = ks_2samp(ref, cur)
    return ColumnDrift(
        "",
        index,
        float(ks.statistic),  # type: ignore[attr-defined]
        float(ks.pvalue),  # type: ignore[attr-defined]
        tuple(float(e) for e in edges),
        tuple(float(s) for s in p),
        tuple(float(s) for s in q),
    )


def drift(
    reference: Mapping[str, np.ndarray], live: Mapping[str, np.ndarray], bins: int = 10
) -> list[ColumnDrift]:
    """Drift of every column of ``reference`` that ``live`` also has."""
    found = []
    for column, values in reference.items():
        if column in live:
            found.append(replace(psi(values, live[column], bins), column=column))
    return found


def _bar(share: float, width: int = 20) -> str:
    return "█" * round(share * width) or "·"


def report(results: list[ColumnDrift], warn: float) -> str:
    """A Markdown drift report: a summary table, then each column's binned shares as bars."""
    lines = ["| column | PSI | KS | p-value | drifted |", "| --- | --- | --- | --- | --- |"]
    for r in results:
        flag = "yes" if r.psi > warn else "no"
        lines.append(
            f"| {r.column} | {r.psi:.3f} | {r.ks_statistic:.3f} | {r.ks_pvalue:.3g} | {flag} |"
        )
    for r in results:
        lines += ["", f"**{r.column}** (reference ▸ live, share per bin)", "```"]
        bounds = ["-inf", *[f"{e:.3g}" for e in r.edges], "inf"]
        for i, (ref, cur) in enumerate(zip(r.reference_share, r.live_share, strict=True)):
            label = f"{bounds[i]}..{bounds[i + 1]}"
            lines.append(f"{label:>16} {_bar(ref):<20} {ref:5.1%} ▸ {_bar(cur):<20} {cur:5.1%}")
        lines.append("```")
    return "\n".join(lines)


def persistent(days_over: list[bool], persist_days: int) -> bool:
    """Whether the last ``persist_days`` entries (oldest first) are all over the threshold."""
    return len(days_over) >= persist_days and all(days_over[-persist_days:])
