"""Silver over a range of landing days: one pass, one commit per table, the tables of day by day.

A backfill run refines its days together: one DuckDB pass over their bronze rows (versions
ranked per landing day, as when each day runs alone), one commit per table (facts: history and
current table; dimensions: one merge in which the latest version wins, as in a sequence of
daily merges), and each check evaluated per day and reported once for the range.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.bronze.days import combine_days
from lakehouse.lake import DeltaStore
from lakehouse.lake.quarantine import quarantine_key
from lakehouse.lake.reader import streamed
from lakehouse.lake.spool import Rows, as_table
from lakehouse.lake.wap import write_audit_publish
from lakehouse.quality.audit import CheckOutcome, audit
from lakehouse.quality.trends import (
    check_drift,
    check_references,
    check_volume,
    partition_row_counts,
)
from lakehouse.silver.dimension_history import (
    adopt_dimension_history,
)
from lakehouse.silver.facts import adopt_history
from lakehouse.silver.history import history_key
from lakehouse.silver.refine import SilverOutcome, SilverPublisher, budget_check
from lakehouse.silver.transform import DUPLICATE, SilverSplit, silver_schema, split_silver
from lakehouse.silver.versions import latest_versions
from lakehouse.sources import LANDING_DATE, SourceSpec


def per_day(spec: SourceSpec) -> SourceSpec:
    """``spec`` keyed by landing day too: a key's versions are ranked within their day, and
    may repeat across days, exactly as when each day is refined alone."""
    return spec.model_copy(update={"keys": [*spec.keys, LANDING_DATE]})


def _on(table: pa.Table, day: date) -> pa.Table:
    return table.filter(pc.field(LANDING_DATE) == pa.scalar(day, pa.date32()))


def day_split(split: SilverSplit, bronze_rows: int, day: date, columns: list[str]) -> SilverSplit:
    """The part of a range's split that one landing day holds (its own counts and reasons);
    of its published rows only ``columns`` (a copy of the day's rows costs memory)."""
    quarantined = _on(split.quarantined, day)
    reasons = quarantined.column("reason").to_pylist()
    duplicates = reasons.count(DUPLICATE)
    counted = Counter(r for reason in reasons if reason != DUPLICATE for r in reason.split("; "))
    if duplicates:
        counted[DUPLICATE] = duplicates
    published = _on(as_table(split.published).select(columns), day)
    return SilverSplit(
        published=published,
        quarantined=quarantined,
        published_rows=published.num_rows,
        bronze_rows=bronze_rows,
        invalid_rows=len(reasons) - duplicates,
        duplicate_rows=duplicates,
        reasons=dict(sorted(counted.items())),
    )


def _split(
    store: DeltaStore, spec: SourceSpec, days: list[date], pii_key: str
) -> tuple[SilverSplit, dict[date, int]]:
    """The range's bronze rows split in one pass, and the bronze rows of each day."""
    in_days = pc.field(LANDING_DATE).isin(pa.array(days, pa.date32()))
    bronze = store.dataset(["bronze", spec.name])  # one snapshot for the counts and the split
    landed = streamed(bronze, [LANDING_DATE], in_days).to_table()
    counted = landed.group_by(LANDING_DATE).aggregate([([], "count_all")])
    rows = dict(
        zip(counted[LANDING_DATE].to_pylist(), counted["count_all"].to_pylist(), strict=True)
    )
    # Bronze is streamed through the split, never held under the published rows.
    return split_silver(streamed(bronze, where=in_days), per_day(spec), pii_key), rows


def refine_range(
    store: DeltaStore, spec: SourceSpec, days: Sequence[date], pii_key: str
) -> SilverOutcome:
    """Refine the bronze partitions of ``days`` into silver in one pass; the tables end as
    if each day had been refined in turn (``refine_partition``), with one commit per table.

    Blocking checks are audited over the range's candidate (the error budget per day); nothing
    is published when one fails. The returned split sums the days'.
    """
    days = sorted(days)
    key = ["silver", spec.name]
    split, bronze_rows = _split(store, spec, days, pii_key)
    store.replace_partitions(quarantine_key(spec.name), split.quarantined, LANDING_DATE, days)
    kept = [LANDING_DATE, *spec.quality.drift_columns]
    splits = {day: day_split(split, bronze_rows.get(day, 0), day, kept) for day in days}
    fact = spec.kind == "fact"
    if fact:
        adopt_history(store, spec)
    elif spec.type2:
        adopt_dimension_history(store, spec)
    counts = partition_row_counts(store, history_key(spec)) if fact else {}
    schema = silver_schema(spec)
    publisher = SilverPublisher(store, spec, days)
    # A dimension merges each key's latest version of the range: what a sequence of daily
    # merges keeps (a later day wins a tie, as its merge would replace an equal version).
    published = as_table(split.published)  # a range is bounded in rows: no spool
    candidate = published if fact else latest_versions(published, spec)

    def audit_candidate(rows: Rows) -> list[CheckOutcome]:
        budgets = combine_days({day: [budget_check(s, spec)] for day, s in splits.items()})
        outcomes = [*audit(rows, per_day(spec) if fact else spec, schema), *budgets]
        # Every day's version, not only the range's latest: a type-2 history keeps them all.
        return [*outcomes, *publisher.audit_table(rows, published)]

    wap = write_audit_publish(store, key, candidate, audit_candidate, publisher.publish)
    observed: dict[date, list[CheckOutcome]] = {day: [] for day in days}
    if fact:
        q = spec.quality
        # As day by day: each day against the trailing days, the range's earlier days included.
        counts |= {day: s.published_rows for day, s in splits.items()}
        for day, s in splits.items():
            rows = s.published_rows
            observed[day].append(
                check_volume(counts, day, rows, q.volume_window, q.volume_tolerance)
            )
    if spec.quality.drift_columns:
        drift_key = history_key(spec) if fact else key
        for day, s in splits.items():
            observed[day].append(check_drift(store, drift_key, spec, day, s.published))
    checks = [*wap.outcomes, *combine_days(observed)]
    references = check_references(store, spec, published)
    if references is not None:
        checks.append(references)
    return SilverOutcome(split, checks, wap.published)
