"""Materialisation metadata shared by every lakehouse table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime

import dagster as dg
import pyarrow as pa

# Dagster's type of one value of a ``metadata=`` mapping (``dagster`` does not re-export it).
from dagster._core.definitions.metadata import RawMetadataValue

from lakehouse.lake import DeltaStore, WriteResult
from lakehouse.sources import LANDING_DATE

LINEAGE_COLUMNS = {
    "_source_file": "Lineage: URI of the landing file the row was read from.",
    "_ingested_at": "Lineage: when bronze took the file in (UTC).",
    LANDING_DATE: "Lineage: the landing day (UTC) that delivered the row; the partition column.",
}
"""The lineage columns every bronze and silver row carries, described once."""


def table_schema(
    schema: pa.Schema, descriptions: Mapping[str, str | None] | None = None
) -> dg.TableSchema:
    """A Dagster column schema from an Arrow schema; lineage columns are described too."""
    descriptions = {**LINEAGE_COLUMNS, **{k: v for k, v in (descriptions or {}).items() if v}}
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=f.name, type=str(f.type), description=descriptions.get(f.name))
            for f in schema
        ]
    )


def table_rows(store: DeltaStore, key: Sequence[str], landing_day: date | None = None) -> int:
    """Rows in the current version of table ``key`` (only ``landing_day``'s partition, if
    given), from the Delta log's per-file record counts: no data file is read."""
    actions = pa.table(store.table(key).get_add_actions(flatten=True))
    counts = actions.column("num_records").to_pylist()
    if landing_day is not None:
        days = actions.column(f"partition.{LANDING_DATE}").to_pylist()
        counts = [n for n, d in zip(counts, days, strict=True) if d == landing_day]
    return sum(n or 0 for n in counts)


def write_metadata(
    result: WriteResult, schema: pa.Schema, started: datetime, row_count: int | None = None
) -> dict[str, RawMetadataValue]:
    """Row count, Delta version, table URI, files, bytes, schema and duration of a write.

    ``row_count``: the rows the materialised table (or partition) holds when that is not the
    rows written, e.g. after a merge (then the written rows are ``rows_merged``).
    """
    metadata: dict[str, RawMetadataValue] = {
        "dagster/row_count": result.rows if row_count is None else row_count,
        "dagster/uri": result.uri,
        "dagster/column_schema": table_schema(schema),
        "duration_s": round((datetime.now(UTC) - started).total_seconds(), 3),
    }
    metadata.update(result.as_metadata())
    if result.operation == "merge":
        metadata["rows_merged"] = result.rows
    return metadata
