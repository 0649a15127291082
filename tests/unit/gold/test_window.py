"""DateWindow: dbt vars in, typed predicates and row checks out; malformed input refused."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from lakehouse.gold.window import DateWindow, WindowError

D1, D2, D3 = dt.date(2026, 1, 5), dt.date(2026, 1, 6), dt.date(2026, 1, 7)


def days(*values: dt.date | None) -> pa.Table:
    return pa.table({"order_date": pa.array(values, pa.date32()), "n": range(len(values))})


@pytest.mark.parametrize(("low", "high"), [(None, None), ("", ""), (None, "")])
def test_no_vars_mean_a_full_rebuild(low: str | None, high: str | None) -> None:
    assert DateWindow.from_vars(low, high) is None


def test_vars_as_text_or_dates_give_the_same_window() -> None:
    assert DateWindow.from_vars("2026-01-05", "2026-01-06") == DateWindow(D1, D2)
    assert DateWindow.from_vars(D1, D2) == DateWindow(D1, D2)


@pytest.mark.parametrize(
    ("low", "high", "message"),
    [
        ("2026-01-05", None, "pass both"),
        (None, "2026-01-05", "pass both"),
        ("2026-1-5", "2026-01-06", "YYYY-MM-DD"),
        ("20260105", "2026-01-06", "YYYY-MM-DD"),
        ("2026-01-05' OR true --", "2026-01-06", "YYYY-MM-DD"),
        ("2026-02-30", "2026-03-01", "not a calendar date"),
        (dt.datetime(2026, 1, 5), "2026-01-06", "not a date"),
        (20260105, "2026-01-06", "not a date"),
        ("2026-01-06", "2026-01-05", "after its end"),
    ],
)
def test_malformed_vars_are_refused(low: object, high: object, message: str) -> None:
    with pytest.raises(WindowError, match=message):
        DateWindow.from_vars(low, high)


def test_a_window_holds_dates_only() -> None:
    with pytest.raises(WindowError, match=r"must be a datetime\.date"):
        DateWindow("2026-01-05", D2)  # type: ignore[arg-type]


def test_vars_days_and_predicate() -> None:
    window = DateWindow(D1, D3)
    assert window.dbt_vars() == {"min_date": "2026-01-05", "max_date": "2026-01-07"}
    assert window.days() == [D1, D2, D3]
    assert window.predicate("order_date") == (
        "\"order_date\" >= '2026-01-05' AND \"order_date\" <= '2026-01-07'"
    )


def test_rows_inside_the_window_pass() -> None:
    DateWindow(D1, D2).check_rows(days(D1, D2, D2), "order_date", "gold/x")


@pytest.mark.parametrize("outside", [D3, None])
def test_a_row_outside_the_window_or_null_is_refused(outside: dt.date | None) -> None:
    with pytest.raises(WindowError, match=r"gold/x: 1 row\(s\) have order_date outside"):
        DateWindow(D1, D2).check_rows(days(D1, outside), "order_date", "gold/x")


def test_the_partition_column_must_exist_and_be_a_date() -> None:
    with pytest.raises(WindowError, match="not in"):
        DateWindow(D1, D2).check_rows(days(D1), "day", "gold/x")
    with pytest.raises(WindowError, match="cast it to date"):
        DateWindow(D1, D2).check_rows(days(D1), "n", "gold/x")
