"""Feature snapshots: ``gold/customer_churn_features`` as it stood on a given day.

The mart is rebuilt whole every day with recency counted to that day, so the Delta version
whose ``as_of_date`` is day D holds the features as they were known on D, before any later
order: training on those versions leaks nothing from the future.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.lake.reader import DeltaReader
from lakehouse.ml.config import FEATURES, KEY, SNAPSHOT

FEATURES_KEY = ("gold", "customer_churn_features")
SNAPSHOT_SCHEMA = pa.schema(
    [
        (SNAPSHOT, pa.date32()),
        (KEY, pa.string()),
        ("recency_days", pa.float64()),
        ("frequency", pa.float64()),
        ("monetary", pa.float64()),
        ("currency", pa.string()),
        ("mart_version", pa.int64()),
    ]
)


class SnapshotNotFoundError(LookupError):
    """No version of the features mart was computed as of the requested day."""


def _as_of(table: pa.Table) -> date | None:
    days = pc.unique(table.column("as_of_date")).to_pylist()
    return days[0] if len(days) == 1 else None


def mart_as_of(reader: DeltaReader, day: date, max_versions: int = 400) -> tuple[pa.Table, int]:
    """The mart's rows and Delta version as of ``day`` (newest such version).

    Raises:
        SnapshotNotFoundError: no version among the last ``max_versions`` has ``as_of_date``
            equal to ``day``.
    """
    table = reader.table(list(FEATURES_KEY))
    latest = table.version()
    for version in range(latest, max(-1, latest - max_versions), -1):
        if version != latest:
            table.load_as_version(version)
        data = table.to_pyarrow_table()
        if data.num_rows and _as_of(data) == day:
            return data, version
    raise SnapshotNotFoundError(
        f"gold/customer_churn_features has no version computed as of {day} (checked versions "
        f"{max(0, latest - max_versions + 1)}..{latest}): materialise the mart for that day first"
    )


def snapshot(mart: pa.Table, day: date, version: int) -> pa.Table:
    """The mart's features on ``day`` in the model's schema (numbers as float64)."""
    n = mart.num_rows
    columns = {
        SNAPSHOT: pa.array([day] * n, pa.date32()),
        KEY: mart.column(KEY).cast(pa.string()),
        **{f: mart.column(f).cast(pa.float64()) for f in FEATURES},
        "currency": mart.column("currency").cast(pa.string()),
        "mart_version": pa.array([version] * n, pa.int64()),
    }
    return pa.table(columns, schema=SNAPSHOT_SCHEMA)


def missing_features(table: pa.Table) -> list[str]:
    """The model features ``table`` lacks, or holds only nulls in."""
    missing = []
    for name in FEATURES:
        if name not in table.column_names or table.column(name).null_count == table.num_rows:
            missing.append(name)
    return missing
