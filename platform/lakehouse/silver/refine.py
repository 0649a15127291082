"""Silver for one landing day: split by the contract, quarantine, write-audit-publish, observe."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from lakehouse.lake import DeltaStore, WriteResult
from lakehouse.lake.quarantine import quarantine_key, write_quarantine
from lakehouse.lake.upsert import conform
from lakehouse.lake.wap import write_audit_publish
from lakehouse.quality.audit import CheckOutcome, audit, check_table_unique_keys
from lakehouse.quality.names import CheckName
from lakehouse.quality.trends import (
    check_drift,
    check_references,
    check_volume,
    key_range,
    partition_row_counts,
)
from lakehouse.silver.dimension_history import (
    HistoryUpdate,
    adopt_dimension_history,
    history_update,
)
from lakehouse.silver.history import history_key
from lakehouse.silver.transform import (
    SilverSplit,
    latest_versions,
    replaced_days,
    silver_schema,
    split_silver,
)
from lakehouse.sources import LANDING_DATE, SourceSpec


@dataclass(frozen=True)
class SilverOutcome:
    """What happened to one silver partition."""

    split: SilverSplit
    outcomes: list[CheckOutcome]
    published: WriteResult | None

    @property
    def blocked(self) -> bool:
        """True when a blocking check failed: the silver table was not changed."""
        return self.published is None


def budget_check(split: SilverSplit, spec: SourceSpec) -> CheckOutcome:
    """Invalid rows within the contract's error budget (duplicates are not errors)."""
    budget = spec.quality.error_budget
    sample = split.quarantined.filter(
        pc.not_equal(split.quarantined.column("reason"), "duplicate")
    ).slice(0, 5)
    return CheckOutcome(
        name=CheckName.ERROR_BUDGET,
        passed=split.invalid_share <= budget,
        description=f"Invalid rows quarantined: {split.invalid_rows} of {split.bronze_rows} "
        f"({', '.join(f'{k}: {v}' for k, v in split.reasons.items()) or 'none'}).",
        observed=round(split.invalid_share, 6),
        threshold=budget,
        failing_rows=split.invalid_rows,
        sample=sample.select(["reason", "record", "_source_file"]).to_pylist(),
    )


@dataclass(frozen=True)
class FactUpdate:
    """How the current table of a fact changes when a landing day is (re)published."""

    rows: pa.Table
    """Everything the replaced landing days hold afterwards."""
    days: list[date]
    """The landing-day partitions of the current table that ``rows`` replace."""
    unique: CheckOutcome
    """Table-wide key uniqueness of the current table after the update."""


def _distinct(keys: list[pa.Table], names: list[str]) -> pa.Table:
    return pa.concat_tables([k.select(names) for k in keys]).group_by(names).aggregate([])


def _day_keys(stored: pads.Dataset | None, spec: SourceSpec, days: list[date]) -> pa.Table:
    if stored is None:
        return pa.table({})
    in_days = pc.field(LANDING_DATE).isin(pa.array(days, pa.date32()))
    return stored.to_table(columns=spec.keys, filter=in_days)


def _present(dataset: pads.Dataset, schema: pa.Schema) -> list[str]:
    """The columns of ``schema`` the stored table has (a column added to the declaration later
    is absent from older tables; ``conform`` fills it with nulls)."""
    return [name for name in schema.names if name in dataset.schema.names]


def _rows_with_keys(
    dataset: pads.Dataset | None,
    keys: pa.Table,
    spec: SourceSpec,
    schema: pa.Schema,
    where: pc.Expression | None = None,
) -> pa.Table:
    """The rows of ``dataset`` whose business key is in ``keys`` (files pruned by key range)."""
    if dataset is None or keys.num_rows == 0:
        return schema.empty_table()
    first = spec.keys[0]
    scan = key_range(keys.column(first), dataset.schema.field(first))
    if where is not None:
        scan = where if scan is None else scan & where
    found = dataset.to_table(columns=_present(dataset, schema), filter=scan)
    return conform(found.join(keys, spec.keys, join_type="left semi"), schema)


def fact_update(
    store: DeltaStore, spec: SourceSpec, day: date | Sequence[date], candidate: pa.Table
) -> FactUpdate:
    """Re-decide the latest version of every key the day (or days) touch, across all landing days.

    The touched keys are the candidate's, the day's earlier candidate's (history) and those
    whose current version came from the day. Their versions from other landing days come from
    the history table, read only where the keys' range lies; the current table is rewritten
    for the day and for any other day whose rows change. Cost follows the day's keys.
    """
    # One snapshot of each table for the whole update (and one log read each).
    current = store.dataset_if_exists(["silver", spec.name])
    history = store.dataset_if_exists(history_key(spec))
    schema = silver_schema(spec)
    published = [day] if isinstance(day, date) else sorted(day)
    published_before = [_day_keys(t, spec, published) for t in (history, current)]
    before = [t for t in published_before if t.num_rows]
    touched = _distinct([candidate, *before], spec.keys)
    elsewhere = ~pc.field(LANDING_DATE).isin(pa.array(published, pa.date32()))
    earlier = _rows_with_keys(history, touched, spec, schema, elsewhere)
    versions = pa.concat_tables([conform(candidate, schema), earlier])
    # A new day's facts: nothing published before, no other version, each key once (as many
    # distinct keys as rows): the candidate is its own latest versions, no second count.
    once = not before and earlier.num_rows == 0 and touched.num_rows == candidate.num_rows
    winners = versions if once else latest_versions(versions, spec)
    located = _rows_with_keys(
        current, touched, spec, pa.schema([schema.field(c) for c in locator(spec)])
    )
    days = replaced_days(published, located, winners, spec.keys)
    day_values = pa.array(days, pa.date32())
    in_days = pc.field(LANDING_DATE).isin(day_values)
    kept = schema.empty_table()
    others = [d for d in days if d not in published]
    if others and current is not None:
        other_days = pc.field(LANDING_DATE).isin(pa.array(others, pa.date32()))
        kept = current.to_table(columns=_present(current, schema), filter=other_days)
        kept = conform(kept.join(touched, spec.keys, join_type="left anti"), schema)
    rewritten = pc.is_in(winners.column(LANDING_DATE), day_values)
    if pc.any(pc.invert(rewritten)).as_py():  # a filter copies even when it keeps all
        winners = winners.filter(rewritten)
    rows = pa.concat_tables([winners, kept])
    rest = (  # every other day's keys, streamed: the table's size, not the day's
        current.scanner(columns=spec.keys, filter=~in_days)
        if current is not None
        else pa.schema([schema.field(k) for k in spec.keys]).empty_table()
    )
    return FactUpdate(rows, days, check_table_unique_keys(rest, rows, spec))


def locator(spec: SourceSpec) -> list[str]:
    """The columns that say where a key's current row lives: its keys and landing day."""
    return [*spec.keys, LANDING_DATE]


def adopt_history(store: DeltaStore, spec: SourceSpec) -> None:
    """Split a fact table written before history existed: history := it, it := latest versions.

    Until then a fact's silver table held every landing day's rows; this runs once, the first
    time such a table is refined, and costs one read and two writes of the table.
    """
    current, history = ["silver", spec.name], history_key(spec)
    if store.exists(history) or not store.exists(current):
        return
    rows = conform(store.read(current), silver_schema(spec))
    store.overwrite(history, rows, partition_by=[LANDING_DATE])
    store.overwrite(current, latest_versions(rows, spec), partition_by=[LANDING_DATE])


@dataclass
class SilverPublisher:
    """What publishing a silver candidate of ``days`` checks and writes beyond the candidate,
    the same for one day (:func:`refine_partition`) and a range (``silver.ranges``): a fact's
    history and one row per key, or a dimension's merge and, if type 2, its history."""

    store: DeltaStore
    spec: SourceSpec
    days: list[date]
    updates: list[FactUpdate] = field(default_factory=list)
    versions: list[HistoryUpdate] = field(default_factory=list)

    def audit_table(self, candidate: pa.Table, versions: pa.Table) -> list[CheckOutcome]:
        """The table-wide checks: a fact's keys unique across days, a type-2 history's
        validity (over every delivered version in ``versions``)."""
        if self.spec.kind == "fact":
            self.updates.append(fact_update(self.store, self.spec, self.days, candidate))
            return [self.updates[-1].unique]
        if self.spec.type2:
            self.versions.append(history_update(self.store, self.spec, self.days, versions))
            return [self.versions[-1].validity]
        return []

    def publish(self, candidate: pa.Table) -> WriteResult:
        """Write the audited candidate: one commit per table."""
        store, spec, key = self.store, self.spec, ["silver", self.spec.name]
        if spec.kind == "fact":
            store.replace_partitions(history_key(spec), candidate, LANDING_DATE, self.days)
            update = self.updates[-1]
            return store.replace_partitions(key, update.rows, LANDING_DATE, update.days)
        if self.versions:
            history = self.versions[-1]
            store.replace_partitions(history_key(spec), history.rows, LANDING_DATE, history.days)
        return store.merge(key, candidate, keys=spec.keys, newer_column=spec.order_by)


def refine_partition(store: DeltaStore, spec: SourceSpec, day: date, pii_key: str) -> SilverOutcome:
    """Turn one bronze partition into silver, publishing only what passes the blocking checks.

    Facts keep every landing day's rows in ``silver/<fact>_history`` (the day's partition is
    replaced) and one row per key, its latest version, in ``silver/<fact>``; dimensions merge
    on their keys (latest wins), and type-2 ones keep every version with its validity in
    ``silver/<dimension>_history`` (``history_update``). Quarantined rows replace the day's
    partition of ``quarantine/<source>`` either way.
    """
    key = ["silver", spec.name]
    # Bronze is streamed through the split, never held under the published rows.
    split = split_silver(
        store.scan(["bronze", spec.name], filter_column=LANDING_DATE, filter_value=day),
        spec,
        pii_key,
    )
    write_quarantine(store, quarantine_key(spec.name), split.quarantined, day)
    fact = spec.kind == "fact"
    if fact:
        adopt_history(store, spec)
    elif spec.type2:
        adopt_dimension_history(store, spec)
    counts = partition_row_counts(store, history_key(spec)) if fact else {}
    schema = silver_schema(spec)
    publisher = SilverPublisher(store, spec, [day])

    def audit_candidate(candidate: pa.Table) -> list[CheckOutcome]:
        checks = [*audit(candidate, spec, schema), budget_check(split, spec)]
        return [*checks, *publisher.audit_table(candidate, candidate)]

    wap = write_audit_publish(store, key, split.published, audit_candidate, publisher.publish)
    observed: list[CheckOutcome] = []
    if fact:
        q = spec.quality
        observed.append(
            check_volume(counts, day, split.published.num_rows, q.volume_window, q.volume_tolerance)
        )
    if spec.quality.drift_columns:
        drift_key = history_key(spec) if fact else key
        observed.append(check_drift(store, drift_key, spec, day, split.published))
    references = check_references(store, spec, split.published)
    if references is not None:
        observed.append(references)
    return SilverOutcome(split, [*wap.outcomes, *observed], wap.published)
