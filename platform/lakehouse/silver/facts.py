"""A fact's current table after a landing day (or days) is published: one row per key, its
latest version across every landing day, and the table-wide key check of the result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from lakehouse.lake import DeltaStore
from lakehouse.lake.marks import carries, snapshot_mark
from lakehouse.lake.reader import arrow_dataset
from lakehouse.lake.spool import Rows, as_table, extremes
from lakehouse.lake.upsert import conform
from lakehouse.quality.audit import CheckOutcome, check_table_unique_keys
from lakehouse.quality.trends import key_range
from lakehouse.silver.history import history_key
from lakehouse.silver.transform import silver_schema
from lakehouse.silver.versions import latest_versions, replaced_days
from lakehouse.sources import LANDING_DATE, SourceSpec

KEYS_CHECKED = "lakehouse.keys_unique_after"
"""Commit metadata of a fact's current table: the snapshot (``lake.marks``) its table-wide
key check read before the commit; while it holds, the next check compares only the written
keys' range."""


@dataclass(frozen=True)
class FactUpdate:
    """How the current table of a fact changes when a landing day is (re)published."""

    rows: Rows
    """Everything the replaced landing days hold afterwards."""
    days: list[date]
    """The landing-day partitions of the current table that ``rows`` replace."""
    unique: CheckOutcome
    """Table-wide key uniqueness of the current table after the update."""
    checked: str
    """The snapshot of the current table the check read (the commit records it)."""
    alone: bool = False
    """``rows`` is the candidate and ``days`` the published days: no other landing day holds
    these keys, so the history and the current table get the same rows for the days."""


def _distinct(keys: list[pa.Table], names: list[str]) -> pa.Table:
    return pa.concat_tables([k.select(names) for k in keys]).group_by(names).aggregate([])


def _day_keys(stored: pads.Dataset | None, spec: SourceSpec, days: pc.Expression) -> pa.Table:
    if stored is None:
        return pa.table({})
    return stored.to_table(columns=spec.keys, filter=days)


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


def _bounds(
    candidate: Rows, stored: list[pads.Dataset | None], first: str, days: pc.Expression
) -> pa.ChunkedArray:
    """Values with the minimum and maximum of the key ``first`` over the candidate and what the
    stored tables hold for the published days, each read a batch at a time."""
    found = [extremes(candidate, first)]
    for dataset in stored:
        if dataset is not None:
            found.append(extremes(dataset, first, days).cast(found[0].type))
    return pa.chunked_array([c for f in found for c in f.chunks], found[0].type)


def _isolated(
    current: pads.Dataset | None,
    history: pads.Dataset | None,
    bounds: pa.ChunkedArray,
    spec: SourceSpec,
    elsewhere: pc.Expression,
) -> bool:
    """Whether no other landing day holds a row in the key range ``bounds`` (a new day of
    time-ordered keys, or the re-run of one): its candidate then meets no other version and no
    key's current row lives elsewhere. Counted from file statistics where they decide, without
    reading or hashing the day's keys."""
    for dataset in (history, current):
        if dataset is None:
            continue
        span = key_range(bounds, dataset.schema.field(spec.keys[0]))
        if span is not None and dataset.count_rows(filter=span & elsewhere):
            return False
    return True


def fact_update(
    store: DeltaStore,
    spec: SourceSpec,
    day: date | Sequence[date],
    candidate: Rows,
    keys_unique: bool = False,
) -> FactUpdate:
    """Re-decide the latest version of every key the day (or days) touch, across all landing days.

    The touched keys are the candidate's, the day's earlier candidate's (history) and those
    whose current version came from the day. Their versions from other landing days come from
    the history table, read only where the keys' range lies; the current table is rewritten
    for the day and for any other day whose rows change. Cost follows the day's keys. With
    ``keys_unique`` (each key once in the candidate, as one day's split gives it) a day whose
    key range, with that of the keys it published before, no other day touches (a new day of
    time-ordered keys, or its re-run) is its own update, never read into memory.
    """
    # One snapshot of each table for the whole update (and one log read each).
    table = store.table_if_exists(["silver", spec.name])
    current = arrow_dataset(table) if table is not None else None
    checked = snapshot_mark(table)
    verified = table is not None and carries(table, KEYS_CHECKED, store.storage_options)
    history = store.dataset_if_exists(history_key(spec))
    schema = silver_schema(spec)
    published = [day] if isinstance(day, date) else sorted(day)
    in_published = pc.field(LANDING_DATE).isin(pa.array(published, pa.date32()))
    elsewhere = ~in_published
    if keys_unique:
        bounds = _bounds(candidate, [history, current], spec.keys[0], in_published)
        if _isolated(current, history, bounds, spec, elsewhere):
            unique = _unique_after(current, published, candidate, spec, verified, bounds)
            return FactUpdate(candidate, published, unique, checked, alone=True)
    published_before = [_day_keys(t, spec, in_published) for t in (history, current)]
    before = [t for t in published_before if t.num_rows]
    candidate = as_table(candidate)
    touched = _distinct([candidate, *before], spec.keys)
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
    unique = _unique_after(current, days, rows, spec, verified)
    return FactUpdate(rows, days, unique, checked)


def _unique_after(
    current: pads.Dataset | None,
    days: list[date],
    rows: Rows,
    spec: SourceSpec,
    verified: bool,
    bounds: pa.ChunkedArray | None = None,
) -> CheckOutcome:
    """Table-wide key uniqueness once ``rows`` replace ``days`` of the current table.

    The kept rows are every other day's, streamed. When the table is ``verified`` (its keys
    were checked unique by the commit that made it: ``KEYS_CHECKED``) a duplicate can only
    pair a written key with a kept one, so only the kept rows in the range of the written
    keys' first column (``bounds``, or read from ``rows``) are compared: files pruned by
    their statistics, a cost that follows the day, not the table.
    """
    if current is None:
        empty = pa.schema([silver_schema(spec).field(k) for k in spec.keys]).empty_table()
        return check_table_unique_keys(empty, rows, spec)
    kept = ~pc.field(LANDING_DATE).isin(pa.array(days, pa.date32()))
    first = spec.keys[0]
    span = None
    if verified:
        written = bounds if bounds is not None else extremes(rows, first)
        span = key_range(written, current.schema.field(first))
    if span is None:
        return check_table_unique_keys(current.scanner(columns=spec.keys, filter=kept), rows, spec)
    scope = "kept rows in the written keys' range; the rest was checked before"
    rest = current.scanner(columns=spec.keys, filter=kept & span)
    return check_table_unique_keys(rest, rows, spec, scope)


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
