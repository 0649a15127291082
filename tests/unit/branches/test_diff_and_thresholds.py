"""The data diff reads only changed partitions and names changed rows, columns and keys."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.branches.diff import diff_branch
from lakehouse.branches.pins import create_branch, load_branch
from lakehouse.branches.promote import promotion_order
from lakehouse.branches.report import Threshold, evaluate, render_json, render_markdown
from lakehouse.branches.session import branch_settings
from lakehouse.lake import DeltaStore
from lakehouse.lake.branch_store import BranchStore
from lakehouse.settings import load_settings
from lakehouse.sources import load_sources

DAY1, DAY2 = dt.date(2026, 1, 1), dt.date(2026, 1, 2)


def _customers(day: dt.date, ids: list[int], country: str = "DE") -> pa.Table:
    return pa.table(
        {
            "customer_id": [f"C{i}" for i in ids],
            "country": [country] * len(ids),
            "_landing_date": pa.array([day] * len(ids), pa.date32()),
        }
    )


def test_a_diff_names_changed_rows_columns_and_partitions(tmp_path: Path) -> None:
    settings = load_settings({"LAKEHOUSE_ROOT": str(tmp_path), "LAKEHOUSE_USER": "t"})
    base = DeltaStore(settings.root)
    base.replace_partition("silver/customers", _customers(DAY1, [1, 2]), "_landing_date", DAY1)
    base.replace_partition("silver/customers", _customers(DAY2, [3, 4]), "_landing_date", DAY2)
    create_branch(settings, "b", commit="")
    store = BranchStore(branch_settings(settings, "b").root)
    changed = pa.concat_tables([_customers(DAY2, [3], "FR"), _customers(DAY2, [5])])
    store.replace_partition("silver/customers", changed, "_landing_date", DAY2)

    [diff] = diff_branch(load_branch(settings, "b"), load_sources())
    assert diff.keys == ["customer_id"]
    assert diff.partitions == ["2026-01-02"]  # day 1's files are the seed's: not read
    assert (diff.base_rows, diff.branch_rows) == (4, 4)
    assert (diff.only_in_base, diff.only_in_branch, diff.changed_rows) == (1, 1, 1)
    assert diff.column_changes == {"country": 1}
    assert diff.samples["changed"] == [{"customer_id": "C3"}]
    assert diff.samples["only_in_base"] == [{"customer_id": "C4"}]
    assert "changed in `country` | 1" in render_markdown([diff], "t")
    assert '"differs": true' in render_json([diff])
    verdicts = evaluate(
        [
            Threshold.parse("silver.customers.country<=25%"),
            Threshold.parse("silver.customers.rows<=0%"),
        ],
        [diff],
    )
    assert verdicts == [
        "PASS silver.customers.country<=25%: observed 25.000%",
        "PASS silver.customers.rows<=0%: observed 0.000%",
    ]


def test_a_malformed_threshold_says_how_to_write_one() -> None:
    with pytest.raises(ValueError, match=r"<layer>.<table>.<column\|rows\|changed_rows><=<n>%"):
        Threshold.parse("orders revenue < 1")


def test_promotion_goes_upstream_first() -> None:
    tables = ["silver/orders", "gold/orders_daily", "silver/orders_history", "quarantine/orders"]
    assert promotion_order(tables) == [
        "quarantine/orders",
        "silver/orders_history",
        "silver/orders",
        "gold/orders_daily",
    ]
