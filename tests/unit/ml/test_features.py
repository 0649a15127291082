"""Feature snapshots are point in time: the mart's snapshot of the day, at the Delta version
read, and never one that holds an order after the day."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.lake import DeltaStore
from lakehouse.ml.config import SNAPSHOT
from lakehouse.ml.features import (
    FEATURES_KEY,
    SnapshotLeakError,
    SnapshotNotFoundError,
    mart_as_of,
    snapshot,
)

DAY = date(2026, 1, 10)
MART = list(FEATURES_KEY)


def _mart(day: date, last_order: date, frequency: int) -> pa.Table:
    return pa.table(
        {
            SNAPSHOT: pa.array([day], pa.date32()),
            "customer_id": ["C1"],
            "last_order_date": pa.array([last_order], pa.date32()),
            "recency_days": pa.array([(day - last_order).days], pa.int64()),
            "frequency": pa.array([frequency], pa.int64()),
            "monetary": pa.array([Decimal("10.00") * frequency], pa.decimal128(18, 2)),
            "currency": ["EUR"],
        }
    )


def _write(store: DeltaStore, day: date, last_order: date, frequency: int) -> None:
    store.replace_partition(MART, _mart(day, last_order, frequency), SNAPSHOT, day)


def test_the_snapshot_is_the_day_s_partition_at_the_version_read(tmp_path: Path) -> None:
    store = DeltaStore(str(tmp_path))
    _write(store, DAY - timedelta(days=1), DAY - timedelta(days=1), 1)  # v0
    _write(store, DAY, DAY - timedelta(days=1), 1)  # v1
    _write(store, DAY + timedelta(days=1), DAY + timedelta(days=1), 2)  # v2

    data, version = mart_as_of(store, DAY)

    assert version == 2
    assert data.column("frequency").to_pylist() == [1]
    features = snapshot(data, DAY, version)
    assert features.column("mart_version").to_pylist() == [2]
    assert features.column("recency_days").to_pylist() == [1.0]


def test_a_day_without_a_snapshot_is_not_found(tmp_path: Path) -> None:
    store = DeltaStore(str(tmp_path))
    _write(store, DAY, DAY, 1)

    with pytest.raises(SnapshotNotFoundError, match=r"no snapshot of 2026-01-11"):
        mart_as_of(store, DAY + timedelta(days=1))


def test_a_snapshot_holding_an_order_after_its_day_is_refused(tmp_path: Path) -> None:
    store = DeltaStore(str(tmp_path))
    _write(store, DAY, DAY + timedelta(days=2), 5)

    with pytest.raises(SnapshotLeakError, match=r"snapshot of 2026-01-10 holds orders up to"):
        mart_as_of(store, DAY)
