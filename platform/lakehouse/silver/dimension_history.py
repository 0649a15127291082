"""The type-2 history of a dimension after landing days are (re)published: what to rewrite.

``silver/<dimension>_history`` is partitioned by landing day like a fact's history; a day's
partition holds the versions delivered that day. Publishing days replaces their partitions,
and a version that slots in between (a late, older one; a correction) changes the end of its
predecessor, which may live in another landing day: that day is rewritten too, in the same
commit. Only the keys the days touch are re-decided, read where their key range lies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from lakehouse.lake import DeltaStore, duck
from lakehouse.lake.upsert import conform
from lakehouse.quality.audit import CheckOutcome
from lakehouse.quality.trends import key_range
from lakehouse.silver.history import (
    VALID_FROM,
    VALID_TO,
    check_validity,
    history_key,
    history_schema,
    validity_columns,
    with_validity,
)
from lakehouse.silver.transform import silver_schema
from lakehouse.sources import LANDING_DATE, SourceSpec
from lakehouse.sources.types import quote


@dataclass(frozen=True)
class HistoryUpdate:
    """How a type-2 dimension's history changes when landing days are (re)published."""

    rows: pa.Table
    """Everything the replaced landing days hold afterwards (history schema)."""
    days: list[date]
    """The landing-day partitions that ``rows`` replace: the published days and the days of
    versions whose ``valid_to`` changes."""
    validity: CheckOutcome
    """The validity intervals of the whole history after the update."""


def _in_days(days: Sequence[date]) -> pc.Expression:
    return pc.field(LANDING_DATE).isin(pa.array(list(days), pa.date32()))


def _read(
    dataset: pads.Dataset | None, spec: SourceSpec, columns: list[str], where: pc.Expression
) -> pa.Table:
    """History rows matching ``where``, in the history schema's ``columns`` (a column added
    to the declaration later reads as nulls); none when there is no history yet (None)."""
    wanted = pa.schema([history_schema(spec).field(c) for c in columns])
    if dataset is None:
        return wanted.empty_table()
    present = [c for c in columns if c in dataset.schema.names]
    return conform(dataset.to_table(columns=present, filter=where), wanted)


def _rows_with_keys(
    dataset: pads.Dataset | None, spec: SourceSpec, keys: pa.Table, where: pc.Expression
) -> pa.Table:
    """The history rows matching ``where`` whose business key is in ``keys``, all columns;
    the scan skips files outside the keys' range."""
    schema = history_schema(spec)
    if keys.num_rows == 0:
        return schema.empty_table()
    scan = key_range(keys.column(spec.keys[0]), schema.field(spec.keys[0]))
    found = _read(dataset, spec, schema.names, where if scan is None else scan & where)
    return found.join(keys, spec.keys, join_type="left semi")


def _changed_days(stored: pa.Table, versions: pa.Table, spec: SourceSpec) -> list[date]:
    """Landing days of the ``stored`` versions whose validity differs in ``versions``."""
    pair = ", ".join(quote(c) for c in [*spec.keys, LANDING_DATE])
    columns = validity_columns(spec)
    con = duck.connect()
    try:
        con.register("stored", stored.select(columns))
        con.register("versions", versions.select(columns))
        changed = con.sql(
            f"SELECT DISTINCT {quote(LANDING_DATE)} FROM stored JOIN versions USING ({pair}) "
            f"WHERE stored.{VALID_FROM} IS DISTINCT FROM versions.{VALID_FROM} "
            f"OR stored.{VALID_TO} IS DISTINCT FROM versions.{VALID_TO}"
        ).fetchall()
    finally:
        con.close()
    return [d for (d,) in changed]


def _key_columns(table: pa.Table, spec: SourceSpec) -> pa.Table:
    schema = silver_schema(spec)
    return table.select(spec.keys).cast(pa.schema([schema.field(k) for k in spec.keys]))


def history_update(
    store: DeltaStore, spec: SourceSpec, days: Sequence[date], candidate: pa.Table
) -> HistoryUpdate:
    """Re-decide the validity of every key that ``days`` touch, with ``candidate`` (the days'
    validated rows, silver schema) as what those days delivered.

    The touched keys are the candidate's and those the days held before. Their versions from
    other landing days come from the history; the days are rewritten with the candidate, and
    another day only where a version's validity changes. Re-publishing a day gives the same
    table; a late, older version shortens its predecessor wherever that lives.
    """
    schema = history_schema(spec)
    # One snapshot of the history for the whole update (and one log read).
    stored = store.dataset_if_exists(history_key(spec))
    published = sorted(set(days))
    before = _read(stored, spec, spec.keys, _in_days(published))
    touched = (
        pa.concat_tables([_key_columns(candidate, spec), _key_columns(before, spec)])
        .group_by(spec.keys)
        .aggregate([])
    )
    elsewhere = _rows_with_keys(stored, spec, touched, ~_in_days(published))
    silver = silver_schema(spec)
    delivered = pa.concat_tables([conform(candidate, silver), elsewhere.select(silver.names)])
    versions = with_validity(delivered, spec)
    replaced = sorted({*published, *_changed_days(elsewhere, versions, spec)})
    others = [d for d in replaced if d not in published]
    kept = _read(stored, spec, schema.names, _in_days(others)) if others else schema.empty_table()
    kept = conform(kept.join(touched, spec.keys, join_type="left anti"), schema)
    rows = pa.concat_tables([versions.filter(_in_days(replaced)), kept])
    checked = validity_columns(spec)
    rest = _read(stored, spec, checked, ~_in_days(replaced))
    whole = pa.concat_tables([rest, rows.select(checked)])
    return HistoryUpdate(rows, replaced, check_validity(whole, spec))


def adopt_dimension_history(store: DeltaStore, spec: SourceSpec) -> None:
    """Start the history of a dimension refined before history existed: its current rows.

    Each key's current version becomes its only known one (valid from its ``order_by``; the
    marts use the earliest known version for earlier facts). Re-running the old landing days
    (any order) fills in the versions they delivered. Runs once; costs one read of the table.
    """
    current, history = ["silver", spec.name], history_key(spec)
    if store.exists(history) or not store.exists(current):
        return
    rows = with_validity(conform(store.read(current), silver_schema(spec)), spec)
    store.overwrite(history, rows, partition_by=[LANDING_DATE])
