"""write_mart against real Delta tables: window replaces, full overwrites, refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable

from lakehouse.gold.window import DateWindow, WindowError
from lakehouse.gold.writer import (
    MartNotFoundError,
    discard_candidate,
    open_candidate,
    open_mart,
    publish_mart,
    stage_mart,
    write_mart,
)

D1, D2, D3 = dt.date(2026, 1, 5), dt.date(2026, 1, 6), dt.date(2026, 1, 7)


def daily(*rows: tuple[dt.date, int]) -> pa.Table:
    return pa.table(
        {
            "order_date": pa.array([r[0] for r in rows], pa.date32()),
            "orders": pa.array([r[1] for r in rows], pa.int64()),
        }
    )


def content(uri: str) -> list[tuple[dt.date, int]]:
    table = open_mart(uri).to_table(use_threads=False)
    return sorted(zip(table["order_date"].to_pylist(), table["orders"].to_pylist(), strict=True))


def files(uri: str, day: dt.date) -> set[str]:
    actions = pa.table(DeltaTable(uri).get_add_actions(flatten=True))
    mine = actions.filter(pc.equal(actions["partition.order_date"], pa.scalar(day, pa.date32())))
    return set(mine["path"].to_pylist())


@pytest.fixture
def three_days(tmp_path: Path) -> str:
    uri = str(tmp_path / "gold" / "orders_daily")
    result = write_mart(uri, daily((D1, 1), (D2, 2), (D3, 3)), partition_by="order_date")
    assert (result.operation, result.version, result.rows) == ("overwrite", 0, 3)
    return uri


def test_a_window_build_replaces_only_its_days(three_days: str) -> None:
    untouched = files(three_days, D1) | files(three_days, D3)
    result = write_mart(
        three_days, daily((D2, 20)), partition_by="order_date", window=DateWindow(D2, D2)
    )
    assert (result.operation, result.version, result.rows) == ("replace_window", 1, 1)
    assert content(three_days) == [(D1, 1), (D2, 20), (D3, 3)]
    assert files(three_days, D1) | files(three_days, D3) == untouched


def test_an_empty_window_build_deletes_its_days(three_days: str) -> None:
    write_mart(three_days, daily(), partition_by="order_date", window=DateWindow(D2, D3))
    assert content(three_days) == [(D1, 1)]


def test_a_window_build_creates_a_missing_table(tmp_path: Path) -> None:
    uri = str(tmp_path / "new")
    write_mart(uri, daily((D2, 2)), partition_by="order_date", window=DateWindow(D2, D2))
    assert DeltaTable(uri).metadata().partition_columns == ["order_date"]
    assert content(uri) == [(D2, 2)]


def test_rows_outside_the_window_are_refused_before_writing(three_days: str) -> None:
    with pytest.raises(WindowError, match="outside the window"):
        write_mart(
            three_days,
            daily((D2, 20), (D3, 30)),
            partition_by="order_date",
            window=DateWindow(D2, D2),
        )
    assert DeltaTable(three_days).version() == 0


def test_a_full_build_replaces_table_and_schema(three_days: str) -> None:
    wider = daily((D1, 5)).append_column("revenue", pa.array([1.5]))
    result = write_mart(three_days, wider, partition_by="order_date")
    assert result.operation == "overwrite"
    assert open_mart(three_days).to_table(use_threads=False).to_pylist() == [
        {"order_date": D1, "orders": 5, "revenue": 1.5}
    ]


def test_a_window_build_needs_the_same_partitioning_and_schema(three_days: str) -> None:
    flat = three_days + "_flat"
    write_mart(flat, daily((D1, 1)))
    with pytest.raises(ValueError, match=r"partitioned by \[\]"):
        write_mart(flat, daily((D1, 2)), partition_by="order_date", window=DateWindow(D1, D1))
    wider = daily((D2, 5)).append_column("revenue", pa.array([1.5]))
    with pytest.raises(ValueError, match="rebuild the whole table"):
        write_mart(three_days, wider, partition_by="order_date", window=DateWindow(D2, D2))
    with pytest.raises(WindowError, match="partition column"):
        write_mart(three_days, daily((D2, 5)), window=DateWindow(D2, D2))


def test_opening_a_missing_mart_names_it(tmp_path: Path) -> None:
    with pytest.raises(MartNotFoundError, match=r"no Delta table at .*missing: build that mart"):
        open_mart(str(tmp_path / "missing"))


def test_a_staged_candidate_leaves_the_published_table_alone(
    three_days: str, tmp_path: Path
) -> None:
    candidate = str(tmp_path / "_staging" / "gold" / "orders_daily")
    staged = stage_mart(
        candidate, daily((D2, 20)), partition_by="order_date", window=DateWindow(D2, D2)
    )
    assert (staged.operation, staged.rows) == ("stage", 1)
    assert DeltaTable(three_days).version() == 0
    assert content(candidate) == [(D2, 20)]


def test_a_candidate_outside_its_window_is_refused_before_staging(tmp_path: Path) -> None:
    candidate = str(tmp_path / "_staging" / "gold" / "orders_daily")
    with pytest.raises(WindowError, match="outside the window"):
        stage_mart(candidate, daily((D3, 3)), partition_by="order_date", window=DateWindow(D2, D2))
    assert not DeltaTable.is_deltatable(candidate)


def test_a_window_candidate_reads_as_the_table_it_would_publish(
    three_days: str, tmp_path: Path
) -> None:
    candidate = str(tmp_path / "_staging" / "gold" / "orders_daily")
    window = DateWindow(D2, D2)
    stage_mart(candidate, daily((D2, 20)), partition_by="order_date", window=window)
    table = open_candidate(candidate, three_days, partition_by="order_date", window=window)
    rows = sorted(zip(table["order_date"].to_pylist(), table["orders"].to_pylist(), strict=True))
    assert rows == [(D1, 1), (D2, 20), (D3, 3)]
    whole = open_candidate(candidate, three_days)
    assert whole.num_rows == 1


def test_publishing_commits_the_candidate_once_and_drops_it(
    three_days: str, tmp_path: Path
) -> None:
    candidate = str(tmp_path / "_staging" / "gold" / "orders_daily")
    window = DateWindow(D2, D2)
    stage_mart(candidate, daily((D2, 20)), partition_by="order_date", window=window)
    result = publish_mart(candidate, three_days, partition_by="order_date", window=window)
    assert (result.operation, result.version) == ("replace_window", 1)
    assert content(three_days) == [(D1, 1), (D2, 20), (D3, 3)]
    assert not DeltaTable.is_deltatable(candidate)
    with pytest.raises(MartNotFoundError):
        publish_mart(candidate, three_days, partition_by="order_date", window=window)
    assert DeltaTable(three_days).version() == 1


def test_discarding_a_missing_candidate_is_a_no_op(tmp_path: Path) -> None:
    discard_candidate(str(tmp_path / "_staging" / "gold" / "nothing"))
