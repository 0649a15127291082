"""A branch reads the base at its pins, zero-copy, and never writes outside its namespace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.branches.pins import create_branch, drop_branch, list_branches, load_branch
from lakehouse.branches.session import branch_settings
from lakehouse.lake import DeltaReader, DeltaStore, TableNotFoundError
from lakehouse.lake.branch_store import BranchStore, BranchWriteError, seeded_version
from lakehouse.settings import load_settings

ORDERS = "silver/orders"
DAY1, DAY2 = dt.date(2026, 1, 1), dt.date(2026, 1, 2)


def _orders(day: dt.date, ids: list[int], total: int = 10) -> pa.Table:
    return pa.table(
        {
            "order_id": [f"O{i}" for i in ids],
            "order_total": [total * i for i in ids],
            "_landing_date": pa.array([day] * len(ids), pa.date32()),
        }
    )


@pytest.fixture
def branch(tmp_path: Path) -> BranchStore:
    """A base with silver/orders over two days (version 1) and a branch pinned at it."""
    settings = load_settings({"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "LAKEHOUSE_USER": "t"})
    base = DeltaStore(settings.root)
    base.replace_partition(ORDERS, _orders(DAY1, [1, 2]), "_landing_date", DAY1)
    base.replace_partition(ORDERS, _orders(DAY2, [3]), "_landing_date", DAY2)
    create_branch(settings, "feature", commit="abc")
    return BranchStore(branch_settings(settings, "feature").root)


def _base(branch: BranchStore) -> DeltaStore:
    return DeltaStore(branch.branch_pins()["base_root"])


def test_a_branch_reads_the_base_at_its_pinned_version_without_copying(
    branch: BranchStore,
) -> None:
    _base(branch).replace_partition(ORDERS, _orders(DAY2, [3, 4]), "_landing_date", DAY2)
    assert branch.read(ORDERS).num_rows == 3  # the pin (version 1), not the base's version 2
    assert branch.exists(ORDERS) and not Path(branch.uri(ORDERS)).exists()
    # A plain reader on the branch root resolves the same way (history, ad-hoc reads).
    assert DeltaReader(branch.root).table(ORDERS).version() == 1
    pinned = branch.dataset_if_exists(ORDERS)
    assert pinned is not None and pinned.to_table().num_rows == 3


def test_a_branch_write_seeds_from_the_pin_and_leaves_the_base_alone(
    branch: BranchStore,
) -> None:
    base = _base(branch)
    branch.replace_partition(ORDERS, _orders(DAY2, [3], total=99), "_landing_date", DAY2)
    own = DeltaReader(branch.root).read(ORDERS).sort_by("order_id")
    assert own.column("order_total").to_pylist() == [10, 20, 297]  # day 1 kept from the seed
    assert seeded_version(branch.table(ORDERS)) == 0
    assert base.table(ORDERS).version() == 1
    assert base.read(ORDERS).sort_by("order_id").column("order_total").to_pylist() == [10, 20, 30]


def test_a_partition_linked_on_a_branch_joins_the_seeded_days(branch: BranchStore) -> None:
    history = "silver/orders_history"
    written = branch.replace_partitions(
        history, _orders(DAY2, [3], total=7), "_landing_date", [DAY2]
    )

    assert branch.link_partitions(ORDERS, written, "_landing_date", [DAY2]) is not None

    own = DeltaReader(branch.root).read(ORDERS).sort_by("order_id")
    assert own.column("order_total").to_pylist() == [10, 20, 21]  # day 1 kept from the seed
    assert seeded_version(branch.table(ORDERS)) == 0
    assert _base(branch).table(ORDERS).version() == 1


def test_a_branch_cannot_write_into_the_base(branch: BranchStore) -> None:
    base = _base(branch)
    with pytest.raises(TableNotFoundError):
        branch.restore(ORDERS, 0, {"reason": "escape"})  # the pinned base table is read-only
    with pytest.raises(BranchWriteError, match="writes only its own tables"):
        branch._write(base.uri(ORDERS), base.table(ORDERS), _orders(DAY1, [9]), "append")
    with pytest.raises(ValueError, match="invalid asset key part"):
        branch.append(["..", "..", "silver", "orders"], _orders(DAY1, [9]))
    assert base.table(ORDERS).version() == 1


def test_branches_are_listed_and_dropped_without_touching_the_base(
    branch: BranchStore, tmp_path: Path
) -> None:
    settings = load_settings({"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "LAKEHOUSE_USER": "t"})
    branch.append(ORDERS, _orders(DAY1, [7]))
    found = load_branch(settings, "feature")
    assert found.tables == {ORDERS: 1} and found.commit == "abc" and found.created_by == "t"
    assert [b.name for b in list_branches(settings)] == ["feature"]
    drop_branch(settings, "feature")
    assert list_branches(settings) == []
    assert DeltaStore(settings.root).table(ORDERS).version() == 1
