"""Materialisation metadata shared by every lakehouse table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import dagster as dg
import pyarrow as pa

from lakehouse.lake import WriteResult


def table_schema(
    schema: pa.Schema, descriptions: Mapping[str, str] | None = None
) -> dg.TableSchema:
    """A Dagster column schema from an Arrow schema."""
    descriptions = descriptions or {}
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=f.name, type=str(f.type), description=descriptions.get(f.name))
            for f in schema
        ]
    )


def write_metadata(result: WriteResult, schema: pa.Schema, started: datetime) -> dict[str, object]:
    """Row count, Delta version, table URI, files, bytes, schema and duration of a write."""
    metadata: dict[str, object] = {
        "dagster/row_count": result.rows,
        "dagster/uri": result.uri,
        "dagster/column_schema": table_schema(schema),
        "duration_s": round((datetime.now(UTC) - started).total_seconds(), 3),
    }
    metadata.update(result.as_metadata())
    return metadata
