"""Bronze: a day's landed files as one table, as landed, plus lineage columns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pyarrow as pa

from lakehouse.landing.files import LandedFile
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


def to_bronze(files: Sequence[LandedFile], day: date, ingested_at: datetime) -> pa.Table:
    """Concatenate whole landed files, keeping every landed column (extra columns too, as text).

    Columns a file lacks are null for its rows; ``_source_file``, ``_ingested_at`` and
    ``_landing_date`` record where and when each row landed (``bronze_rows``).
    """
    if ingested_at.tzinfo is None:
        raise ValueError("ingested_at must be timezone-aware (UTC)")
    landed = list(dict.fromkeys(c for f in files for c in f.table.column_names))
    parts = [bronze_rows(f.table, landed, f.uri, day, ingested_at) for f in files]
    return pa.concat_tables(parts) if parts else bronze_schema(landed).empty_table()
