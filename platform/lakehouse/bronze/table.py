"""Bronze: a day's landed files as one table, as landed, plus lineage columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pyarrow as pa

from lakehouse.sources import LANDING_DATE, SourceSpec


def bronze_schema(landed_columns: Sequence[str]) -> pa.Schema:
    """Schema of a bronze table: landed columns as text, then the lineage columns."""
    return pa.schema(
        [pa.field(c, pa.string()) for c in landed_columns]
        + [
            pa.field("_source_file", pa.string(), nullable=False),
            pa.field("_ingested_at", pa.timestamp("us", tz="UTC"), nullable=False),
            pa.field(LANDING_DATE, pa.date32(), nullable=False),
        ]
    )


def bronze_stats_columns(spec: SourceSpec) -> list[str] | None:
    """The bronze columns that keep min/max statistics: every one but PII (None: no PII).

    Statistics copy values into the Delta log and parquet footers, where raw PII must not be.
    An allow-list, so undeclared (drifted) columns, which may hold PII too, get none either.
    """
    pii = {c.landed_name for c in spec.columns if c.pii}
    if not pii:
        return None
    return [c for c in bronze_schema(spec.landed_columns).names if c not in pii]


def bronze_rows(
    table: pa.Table, columns: Sequence[str], uri: str, day: date, ingested_at: datetime
) -> pa.Table:
    """A landed file's rows (or a block of them) as bronze: ``columns`` in order (null where
    the file lacks one), then ``_source_file``, ``_ingested_at`` and ``_landing_date``."""
    rows = table.num_rows
    arrays = [
        table.column(c) if c in table.column_names else pa.nulls(rows, pa.string()) for c in columns
    ]
    arrays += [
        pa.repeat(pa.scalar(uri, pa.string()), rows),
        pa.repeat(pa.scalar(ingested_at, pa.timestamp("us", tz="UTC")), rows),
        pa.repeat(pa.scalar(day, pa.date32()), rows),
    ]
    return pa.Table.from_arrays(arrays, schema=bronze_schema(columns))
