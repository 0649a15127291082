"""Non-blocking checks against the table's own past: volume, distribution drift, references."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, timedelta

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.lake import DeltaStore, duck
from lakehouse.lake.spool import Rows, column_of, extremes
from lakehouse.quality.audit import SAMPLE_ROWS, CheckOutcome
from lakehouse.quality.names import CheckName
from lakehouse.sources import LANDING_DATE, SourceSpec
from lakehouse.sources.types import quote

PSI_BINS = 10
_EPSILON = 1e-4


def partition_row_counts(store: DeltaStore, key: list[str]) -> dict[date, int]:
    """Rows per landing-day partition, from the Delta log's file statistics (no data scan)."""
    if not store.exists(key):
        return {}
    actions = pa.table(store.table(key).get_add_actions(flatten=True))
    column = f"partition.{LANDING_DATE}"
    if column not in actions.column_names:
        return {}
    counts: dict[date, int] = defaultdict(int)
    for day, rows in zip(
        actions.column(column).to_pylist(), actions.column("num_records").to_pylist(), strict=True
    ):
        counts[day] += rows or 0
    return dict(counts)


def _trailing(day: date, window: int) -> list[date]:
    return [day - timedelta(days=n) for n in range(1, window + 1)]


def check_volume(
    counts: dict[date, int], day: date, rows: int, window: int, tolerance: float
) -> CheckOutcome:
    """This partition's rows lie within ``tolerance`` of the trailing ``window``'s mean."""
    past = [counts[d] for d in _trailing(day, window) if d in counts]
    if not past:
        return CheckOutcome(
            name=CheckName.VOLUME,
            passed=True,
            description="No trailing partitions yet: nothing to compare.",
            observed=rows,
        )
    mean = sum(past) / len(past)
    low, high = mean * (1 - tolerance), mean * (1 + tolerance)
    passed = low <= rows <= high
    return CheckOutcome(
        name=CheckName.VOLUME,
        passed=passed,
        description=f"Rows within ±{tolerance:.0%} of the mean of the last {len(past)} partitions.",
        observed=rows,
        threshold=f"{low:.0f}..{high:.0f}",
        failing_rows=0 if passed else rows,
    )


def population_stability_index(
    reference: pa.Array, current: pa.Array, bins: int = PSI_BINS
) -> float:
    """PSI of ``current`` against ``reference``, over the reference's quantile bins."""
    reference = pc.drop_null(pc.cast(reference, pa.float64()))
    current = pc.drop_null(pc.cast(current, pa.float64()))
    if len(reference) == 0 or len(current) == 0:
        return 0.0
    quantiles = [q / bins for q in range(1, bins)]
    edges = sorted(set(pc.quantile(reference, q=quantiles).to_pylist()))
    psi = 0.0
    for low, high in zip([-math.inf, *edges], [*edges, math.inf], strict=True):

        def share(values: pa.Array, lo: float = low, hi: float = high) -> float:
            mask = pc.and_(pc.greater(values, lo), pc.less_equal(values, hi))
            return max(pc.sum(mask).as_py() / len(values), _EPSILON)

        expected, actual = share(reference), share(current)
        psi += (actual - expected) * math.log(actual / expected)
    return psi


def _no_reference() -> CheckOutcome:
    return CheckOutcome(
        name=CheckName.DISTRIBUTION_DRIFT, passed=True, description="No reference data yet."
    )


def check_drift(
    store: DeltaStore, key: list[str], spec: SourceSpec, day: date, current: Rows
) -> CheckOutcome:
    """PSI of each drift column against the trailing window stays under the threshold."""
    quality = spec.quality
    columns = quality.drift_columns
    if not columns or not store.exists(key):
        return _no_reference()
    window = _trailing(day, quality.volume_window)
    dataset = store.dataset(key)
    reference = dataset.to_table(
        columns=columns, filter=pc.field(LANDING_DATE).isin(pa.array(window, pa.date32()))
    )
    if reference.num_rows == 0:
        return _no_reference()
    scores = {
        c: round(population_stability_index(reference.column(c), column_of(current, c)), 4)
        for c in columns
    }
    worst = max(scores.values())
    return CheckOutcome(
        name=CheckName.DISTRIBUTION_DRIFT,
        passed=worst <= quality.drift_psi_threshold,
        description=f"PSI of {', '.join(columns)} against the last {len(window)} partitions.",
        observed=worst,
        threshold=quality.drift_psi_threshold,
        sample=[scores],
    )


def key_range(keys: pa.ChunkedArray, field: pa.Field) -> pc.Expression | None:
    """``min(keys) <= field <= max(keys)``, or None when ``keys`` holds no value.

    As a scan filter it loses no match for ``keys`` and lets the scan skip every file whose
    statistics lie outside the range: with time-ordered keys (sequences, ULIDs) a day's keys
    meet a few recent files, so a lookup's cost follows the day, not the table.
    """
    bounds = pc.min_max(keys)
    if not bounds["min"].is_valid:
        return None
    # In the scanned column's own type: comparison kernels need both sides alike.
    low, high = bounds["min"].cast(field.type), bounds["max"].cast(field.type)
    return (pc.field(field.name) >= low) & (pc.field(field.name) <= high)


def check_references(store: DeltaStore, spec: SourceSpec, published: Rows) -> CheckOutcome | None:
    """Foreign keys point at existing rows of the referenced silver tables."""
    references = [c for c in spec.columns if c.references]
    if not references:
        return None
    con = duck.connect()
    con.register("published", published)
    failing = 0
    sample: list[dict[str, object]] = []
    missing_tables = []
    for column in references:
        table, target = (column.references or "").split(".")
        if not store.exists(["silver", table]):
            missing_tables.append(table)
            continue
        name = quote(column.name)
        dataset = store.dataset(["silver", table])
        where = key_range(extremes(published, column.name), dataset.schema.field(target))
        referenced = dataset.to_table(columns=[target], filter=where)
        con.register("referenced", referenced)
        dangling = (
            f"FROM published ANTI JOIN referenced ON published.{name} = referenced.{quote(target)} "
            f"WHERE published.{name} IS NOT NULL"
        )
        failing += con.sql(f"SELECT count(*) {dangling}").fetchall()[0][0]
        if len(sample) < SAMPLE_ROWS:
            rows = con.sql(f"SELECT published.{name} {dangling} LIMIT {SAMPLE_ROWS}")
            sample += rows.to_arrow_table().to_pylist()
        con.unregister("referenced")
    con.close()
    described = ", ".join(f"{c.name} → {c.references}" for c in references)
    if missing_tables:
        described += f" (not yet materialised: {', '.join(missing_tables)})"
    return CheckOutcome(
        name=CheckName.REFERENTIAL_INTEGRITY,
        passed=failing == 0,
        description=described,
        observed=failing,
        threshold=0,
        failing_rows=failing,
        sample=sample,
    )
