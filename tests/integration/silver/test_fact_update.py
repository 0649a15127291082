"""A fact's update when its key range is its own: a day (or its re-run) is its own update, read
from disk as a stream; a key the day published before that lives on elsewhere is not lost."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from lakehouse.lake import DeltaStore
from lakehouse.lake.spool import as_table
from lakehouse.lake.upsert import conform
from lakehouse.silver.facts import fact_update
from lakehouse.silver.history import history_key
from lakehouse.silver.transform import silver_schema
from lakehouse.sources import LANDING_DATE, load_sources

ORDERS = next(s for s in load_sources() if s.name == "orders")
SCHEMA = silver_schema(ORDERS)
DAY_1, DAY_2 = date(2026, 11, 1), date(2026, 11, 2)


def _orders(ids: list[int], day: date, hour: int = 0) -> pa.Table:
    rows = pa.table(
        {
            "order_id": [f"o-{n:04d}" for n in ids],
            "updated_at": [datetime(2026, 11, day.day, hour, tzinfo=UTC)] * len(ids),
            LANDING_DATE: [day] * len(ids),
        }
    )
    return conform(rows, SCHEMA)


def _store(tmp_path: Path, history: list[pa.Table], current: list[pa.Table]) -> DeltaStore:
    store = DeltaStore(str(tmp_path / "lake"))
    store.overwrite(history_key(ORDERS), pa.concat_tables(history), partition_by=[LANDING_DATE])
    store.overwrite(["silver", "orders"], pa.concat_tables(current), partition_by=[LANDING_DATE])
    return store


def _spooled(rows: pa.Table, tmp_path: Path) -> pads.Dataset:
    pq.write_table(rows, tmp_path / "spool.parquet")
    return pads.dataset(tmp_path / "spool.parquet", schema=SCHEMA)


def test_a_rerun_day_whose_keys_live_nowhere_else_is_its_own_update(tmp_path: Path) -> None:
    day_1, day_2 = _orders(list(range(10)), DAY_1), _orders(list(range(10, 20)), DAY_2)
    store = _store(tmp_path, [day_1, day_2], [day_1, day_2])
    candidate = _spooled(_orders(list(range(10, 20)), DAY_2, hour=5), tmp_path)

    update = fact_update(store, ORDERS, DAY_2, candidate, keys_unique=True)

    assert update.rows is candidate  # streamed to the write, never read whole
    assert update.days == [DAY_2]
    assert update.unique.passed


def test_a_key_the_rerun_no_longer_brings_falls_back_to_its_other_day(tmp_path: Path) -> None:
    # Order 5 landed on day 1 and again on day 2 (its current row); day 2's re-run lacks it.
    day_1 = _orders(list(range(10)), DAY_1)
    day_2 = _orders([5, *range(10, 20)], DAY_2)
    current = [day_1.filter(pa.compute.not_equal(day_1["order_id"], "o-0005")), day_2]
    store = _store(tmp_path, [day_1, day_2], current)
    candidate = _spooled(_orders(list(range(10, 20)), DAY_2, hour=5), tmp_path)

    update = fact_update(store, ORDERS, DAY_2, candidate, keys_unique=True)

    rows = as_table(update.rows)
    assert sorted(update.days) == [DAY_1, DAY_2]
    by_id = {r["order_id"]: r[LANDING_DATE] for r in rows.to_pylist()}
    assert by_id["o-0005"] == DAY_1  # back to its day-1 version, not lost
    assert len(by_id) == rows.num_rows == 20  # both days, each key once
