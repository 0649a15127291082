"""Run-time regressions: each materialisation's step time against the asset's trailing median.

A materialisation slower than ``factor`` times the median of the asset's previous ``window``
materialisations, and slower than ``min_seconds``, is a regression. Its likely cause compares
the rows written with their trailing median: more data, or slower code/infrastructure.
"""

from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa

from lakehouse.observability.dora import quantile
from lakehouse.observability.tables import DURATIONS_SCHEMA
from lakehouse.operations.webhook import Alert


@dataclass(frozen=True)
class RegressionRule:
    """When a materialisation counts as a run-time regression."""

    window: int = 14
    factor: float = 3.0
    min_seconds: float = 60.0
    min_history: int = 3
    rows_grew: float = 1.5  # rows above this factor of their median explain the slowdown


def likely_cause(rows_factor: float | None, rule: RegressionRule) -> str:
    """Why it may be slower: the data grew, or it did not (so code or infrastructure)."""
    if rows_factor is None:
        return "unknown: the materialisation reports no row count"
    if rows_factor >= rule.rows_grew:
        return f"rows grew {rows_factor:.1f}x over their trailing median: more data"
    return (
        f"rows did not grow ({rows_factor:.2f}x their trailing median): look at the code "
        "version or the compute it ran on"
    )


def durations(events: pa.Table, rule: RegressionRule | None = None) -> pa.Table:
    """Every materialisation with a step time, against its asset's trailing median
    (``DURATIONS_SCHEMA``)."""
    rule = rule or RegressionRule()
    history: dict[str, list[dict]] = defaultdict(list)
    for e in events.to_pylist():
        if e["kind"] == "materialization" and e["step_seconds"] is not None:
            history[e["asset"]].append(e)
    out = []
    for asset in sorted(history):
        previous: list[dict] = []
        for e in sorted(history[asset], key=lambda r: (r["timestamp"], r["seq"])):
            trail = previous[-rule.window :]
            median = quantile([p["step_seconds"] for p in trail], 0.5)
            trail_rows = [p["rows"] for p in trail if p["rows"] is not None]
            rows_median = quantile(trail_rows, 0.5)
            enough = len(trail) >= rule.min_history and bool(median)
            factor = e["step_seconds"] / median if enough and median else None
            rows_factor = (
                e["rows"] / rows_median
                if e["rows"] is not None and rows_median and len(trail_rows) >= rule.min_history
                else None
            )
            regression = bool(
                factor is not None and factor > rule.factor and e["step_seconds"] > rule.min_seconds
            )
            out.append(
                {
                    "asset": asset,
                    "partition": e["partition"],
                    "run_id": e["run_id"],
                    "timestamp": e["timestamp"],
                    "day": e["timestamp"].date(),
                    "seconds": e["step_seconds"],
                    "trailing_median_seconds": median if enough else None,
                    "factor": factor,
                    "rows": e["rows"],
                    "rows_factor": rows_factor,
                    "regression": regression,
                    "likely_cause": likely_cause(rows_factor, rule) if regression else None,
                }
            )
            previous.append(e)
    return pa.Table.from_pylist(out, schema=DURATIONS_SCHEMA)


def regression_alert(row: dict, link: str | None = None) -> Alert:
    """The webhook alert for one regression row of ``ops/durations``."""
    asset = row["asset"]
    return Alert(
        title=f"Run-time regression: {asset} took {row['factor']:.1f}x its median",
        reason=(
            f"{asset} took {row['seconds']:.0f} s, {row['factor']:.1f}x its trailing median of "
            f"{row['trailing_median_seconds']:.0f} s; likely cause: {row['likely_cause']}"
        ),
        assets=(asset,),
        partition=row["partition"],
        link=link,
        link_text=f"Open run {row['run_id'][:8]} in Dagster",
    )
