"""A fact's latest version per key across landing days, and the days a publish rewrites."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa

from lakehouse.quality.audit import check_table_unique_keys
from lakehouse.quality.names import CheckName
from lakehouse.silver.versions import latest_versions, replaced_days
from lakehouse.sources import LANDING_DATE, load_sources

ORDERS = {s.name: s for s in load_sources()}["orders"]
D1, D2, D3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)


def versions(rows: list[tuple[str, int | None, date, int]]) -> pa.Table:
    """(order_id, updated_at hour, landing day, ingestion second) per row."""
    return pa.table(
        {
            "order_id": [r[0] for r in rows],
            "updated_at": pa.array(
                [None if r[1] is None else datetime(2026, 1, 1, r[1], tzinfo=UTC) for r in rows],
                pa.timestamp("us", tz="UTC"),
            ),
            LANDING_DATE: pa.array([r[2] for r in rows], pa.date32()),
            "_ingested_at": pa.array(
                [datetime(2026, 1, 5, 0, 0, r[3], tzinfo=UTC) for r in rows],
                pa.timestamp("us", tz="UTC"),
            ),
            "_source_file": ["f"] * len(rows),
        }
    )


def test_latest_version_by_order_by_then_landing_day_then_ingestion() -> None:
    rows = versions(
        [
            ("A", 9, D2, 1),  # newer updated_at beats a later landing day
            ("A", 8, D3, 2),
            ("B", 5, D1, 3),
            ("B", 5, D2, 1),  # same updated_at: the later landing day wins
            ("C", 5, D2, 1),
            ("C", 5, D2, 2),  # same day: the later ingestion wins
            ("D", None, D3, 1),
            ("D", 1, D1, 1),  # a null updated_at never beats a known one
        ]
    )
    latest = latest_versions(rows, ORDERS).sort_by("order_id").to_pylist()
    picked = [(r["order_id"], r[LANDING_DATE], r["_ingested_at"].second) for r in latest]
    assert picked == [("A", D2, 1), ("B", D2, 1), ("C", D2, 2), ("D", D1, 1)]


def test_rows_with_one_version_per_key_come_back_as_they_are() -> None:
    rows = versions([("B", 1, D1, 1), ("A", 2, D2, 1), ("C", None, D3, 1)])
    assert latest_versions(rows, ORDERS) is rows  # no copy of a day that needs no choice
    with_second_version = pa.concat_tables([rows, versions([("A", 3, D3, 1)])])
    latest = latest_versions(with_second_version, ORDERS)
    assert latest.column("order_id").to_pylist() == ["B", "C", "A"]  # input order kept


def test_only_days_whose_rows_change_are_rewritten() -> None:
    located = versions([("A", 1, D1, 1), ("B", 1, D2, 1), ("C", 1, D3, 1)])
    winners = versions([("A", 2, D3, 1), ("B", 1, D2, 1), ("C", 1, D3, 1)])
    # A moves from D1 to D3; B and C stay where they are.
    assert replaced_days([D3], located, winners, ["order_id"]) == [D1, D3]
    assert replaced_days([D2], located, located, ["order_id"]) == [D2]
    # Every row in the published days: those days, nothing compared.
    assert replaced_days([D1, D2, D3], located, winners, ["order_id"]) == [D1, D2, D3]
    moved_within = versions([("A", 2, D2, 1), ("B", 1, D2, 1), ("C", 1, D3, 1)])
    assert replaced_days([D1, D2, D3], located, moved_within, ["order_id"]) == [D1, D2, D3]


def test_table_unique_keys_counts_keys_kept_and_written_twice() -> None:
    kept = pa.table({"order_id": ["A", "B"]})
    outcome = check_table_unique_keys(kept, pa.table({"order_id": ["B", "C"]}), ORDERS)
    assert (outcome.name, outcome.passed, outcome.blocking) == (
        CheckName.TABLE_UNIQUE_KEYS,
        False,
        True,
    )
    assert (outcome.observed, outcome.failing_rows) == (1, 2)
    assert outcome.sample == [{"order_id": "B", "copies": 2}]
    assert check_table_unique_keys(kept, pa.table({"order_id": ["C"]}), ORDERS).passed
