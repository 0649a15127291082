"""Dimension versions that land late widen the gold window to the facts they re-attribute."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from lakehouse.gold.attribution import (
    KEY,
    SINCE,
    attributed_dates,
    attribution_paths,
    landed_since,
    path_dates,
)
from lakehouse.gold.project import PARTITION_COLUMN, rebuild_window
from lakehouse.gold.window import DateWindow
from lakehouse.lake import DeltaStore
from lakehouse.sources import load_sources

D1, D2, D3, D4 = (dt.date(2026, 1, n) for n in (5, 6, 7, 8))
SOURCES = load_sources()
SPECS = {s.name: s for s in SOURCES}
UTC = dt.UTC


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _write(root: Path, name: str, columns: dict[str, pa.Array]) -> None:
    write_deltalake(str(root / "silver" / name), pa.table(columns), partition_by=["_landing_date"])


def _history(root: Path, name: str, rows: list[tuple[str, dt.datetime, dt.date]]) -> None:
    key = SPECS[name].keys[0]
    _write(
        root,
        f"{name}_history",
        {
            key: pa.array([r[0] for r in rows]),
            "valid_from": pa.array([r[1] for r in rows], pa.timestamp("us", tz="UTC")),
            "_landing_date": pa.array([r[2] for r in rows], pa.date32()),
        },
    )


@pytest.fixture
def silver(tmp_path: Path) -> str:
    """Everything landed on D1..D2, except what D3 delivers late: C1's move (valid from D2,
    9:00), C3's first known version (valid from D3; C3 ordered on D1) and P1's new category
    (valid from D2, 12:00). O5 lands on D3 as well."""
    _history(
        tmp_path,
        "customers",
        [
            ("C1", at(D1, 1), D1),
            ("C2", at(D1, 1), D1),
            ("C1", at(D2, 9), D3),
            ("C3", at(D3, 5), D3),
        ],
    )
    _history(
        tmp_path, "products", [("P1", at(D1, 1), D1), ("P2", at(D1, 1), D1), ("P1", at(D2, 12), D3)]
    )
    orders = [
        ("O1", "C1", D1, D1),
        ("O2", "C1", D2, D2),
        ("O3", "C2", D2, D2),
        ("O4", "C3", D1, D1),
        ("O5", "C2", D3, D3),
    ]
    _write(
        tmp_path,
        "orders",
        {
            "order_id": pa.array([o[0] for o in orders]),
            "customer_id": pa.array([o[1] for o in orders]),
            "order_date": pa.array([o[2] for o in orders], pa.date32()),
            "_landing_date": pa.array([o[3] for o in orders], pa.date32()),
        },
    )
    lines = [("O1", "P1", D1), ("O3", "P1", D2), ("O2", "P2", D2), ("O5", "P2", D3)]
    _write(
        tmp_path,
        "order_items",
        {
            "order_id": pa.array([line[0] for line in lines]),
            "product_id": pa.array([line[1] for line in lines]),
            "_landing_date": pa.array([line[2] for line in lines], pa.date32()),
        },
    )
    return str(tmp_path)


def test_the_paths_come_from_the_declared_references() -> None:
    paths = attribution_paths(SOURCES, SPECS["orders"])
    found = {(p.dimension.name, p.fact.name, p.column, p.link) for p in paths}
    assert found == {
        ("customers", "orders", "customer_id", None),
        ("products", "order_items", "product_id", "order_id"),
    }


def test_a_late_version_counts_from_its_valid_from_and_a_first_one_for_every_date(
    silver: str,
) -> None:
    since = landed_since(DeltaStore(silver), SPECS["customers"], DateWindow(D3, D3))
    assert dict(zip(since[KEY].to_pylist(), since[SINCE].to_pylist(), strict=True)) == {
        "C1": D2,
        "C3": None,
    }


def test_each_path_gives_the_dates_its_landed_versions_reattribute(silver: str) -> None:
    store, landing = DeltaStore(silver), DateWindow(D3, D3)
    dates = {
        p.dimension.name: path_dates(
            store, p, SPECS["orders"], landed_since(store, p.dimension, landing)
        )
        for p in attribution_paths(SOURCES, SPECS["orders"])
    }
    # C1's orders from D2 on, every order of C3 (placed before its first known version);
    # P1's lines on orders from D2 on (not O1, placed on D1 before the change).
    assert dates == {"customers": [D1, D2], "products": [D2]}


def test_the_rebuild_window_spans_the_reattributed_dates(silver: str) -> None:
    store = DeltaStore(silver)
    assert attributed_dates(store, SOURCES, PARTITION_COLUMN, DateWindow(D3, D3)) == [D1, D2]
    assert rebuild_window(silver, DateWindow(D3, D3)) == DateWindow(D1, D3)
    # D2 delivered no dimension version: only its own orders' date.
    assert rebuild_window(silver, DateWindow(D2, D2)) == DateWindow(D2, D2)
    # Nothing landed on D4.
    assert rebuild_window(silver, DateWindow(D4, D4)) is None


def test_no_history_or_no_dated_fact_gives_no_dates(tmp_path: Path) -> None:
    store = DeltaStore(str(tmp_path))
    assert landed_since(store, SPECS["customers"], DateWindow(D1, D1)).num_rows == 0
    assert attributed_dates(store, SOURCES, "no_such_date", DateWindow(D1, D1)) == []


def test_dates_a_covered_window_rebuilds_anyway_are_not_looked_for(silver: str) -> None:
    store, landing = DeltaStore(silver), DateWindow(D3, D3)
    # Only dates outside the covered days: D2 is rebuilt anyway, D1 widens the window.
    assert attributed_dates(store, SOURCES, PARTITION_COLUMN, landing, DateWindow(D2, D3)) == [D1]
    assert attributed_dates(store, SOURCES, PARTITION_COLUMN, landing, DateWindow(D1, D2)) == []
    # Not covered: every re-attributed date, as before.
    assert attributed_dates(store, SOURCES, PARTITION_COLUMN, landing, DateWindow(D3, D4)) == [
        D1,
        D2,
    ]
