"""Feature snapshots: the customers' features as they were known on a given day.

``gold/customer_churn_feature_snapshots`` (a dbt mart, one partition per snapshot day) computes
them point in time: only the order versions landed by the day, of orders placed on or before
it. A range of landed days builds every snapshot at once, so training needs no day-by-day
history of another table. A snapshot holding an order after its day would leak the future
into training: the mart's dbt test refuses it, and so does :func:`mart_as_of`.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.lake.reader import DeltaReader, arrow_dataset
from lakehouse.ml.config import FEATURES, KEY, SNAPSHOT

FEATURES_KEY = ("gold", "customer_churn_feature_snapshots")
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
    """The features mart holds no snapshot of the requested day."""


class SnapshotLeakError(ValueError):
    """A snapshot of the features mart holds an order after its day."""


def mart_as_of(reader: DeltaReader, day: date) -> tuple[pa.Table, int]:
    """The mart's snapshot of ``day`` and the Delta version it was read at.

    Raises:
        TableNotFoundError: the mart has not been built.
        SnapshotNotFoundError: the mart holds no row for ``day``.
        SnapshotLeakError: a row of the snapshot has a ``last_order_date`` after ``day``.
    """
    key = list(FEATURES_KEY)
    table = reader.table(key)
    version = table.version()
    on_day = pc.field(SNAPSHOT) == pa.scalar(day, pa.date32())
    data = arrow_dataset(table).to_table(filter=on_day, use_threads=False)
    if not data.num_rows:
        raise SnapshotNotFoundError(
            f"gold/customer_churn_feature_snapshots (version {version}) has no snapshot of {day}: "
            "materialise the lakehouse for that landing day first (lakehouse materialize)"
        )
    last = max((d for d in data.column("last_order_date").to_pylist() if d), default=None)
    if last is not None and last > day:
        raise SnapshotLeakError(
            f"gold/customer_churn_feature_snapshots version {version}: the snapshot of {day} "
            f"holds orders up to {last}, so its features would leak the future into training; "
            "rebuild the mart"
        )
    return data, version


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
