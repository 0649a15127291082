"""A type-2 dimension's history: validity from updated_at, the same in any run order, late
versions slotted in, re-runs idempotent, and a check that finds broken intervals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.lake import DeltaStore
from lakehouse.quality.names import CheckName
from lakehouse.silver.dimension_history import (
    HistoryUpdate,
    adopt_dimension_history,
    history_update,
)
from lakehouse.silver.history import (
    VALID_FROM,
    VALID_TO,
    check_validity,
    history_key,
    with_validity,
)
from lakehouse.silver.transform import silver_schema
from lakehouse.sources import LANDING_DATE, ColumnSpec, load_sources

CUSTOMERS = {s.name: s for s in load_sources()}["customers"]
HISTORY = history_key(CUSTOMERS)
D1, D2, D3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)
Version = tuple[str, str, date, int, date]
"""(customer_id, country, day updated, hour updated, landing day)."""


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def delivered(versions: Sequence[Version]) -> pa.Table:
    """Validated silver rows of customers, one per version."""
    rows = [
        {
            "customer_id": cid,
            "name": f"pii_{cid}",
            "email": f"pii_{cid}_email",
            "phone": None,
            "country": country,
            "signup_date": date(2025, 12, 1),
            "updated_at": at(day, hour),
            "_source_file": f"customers/{landing}/part-0.csv",
            "_ingested_at": at(landing, 23),
            LANDING_DATE: landing,
        }
        for cid, country, day, hour, landing in versions
    ]
    return pa.Table.from_pylist(rows, schema=silver_schema(CUSTOMERS))


def publish(store: DeltaStore, day: date, versions: Sequence[Version]) -> HistoryUpdate:
    """Publish one landing day's versions into the history, as the silver asset does."""
    update = history_update(store, CUSTOMERS, [day], delivered(versions))
    assert update.validity.passed, update.validity
    store.replace_partitions(HISTORY, update.rows, LANDING_DATE, update.days)
    return update


def intervals(store: DeltaStore) -> list[tuple[str, str, datetime, datetime | None, date]]:
    """(customer, country, valid_from, valid_to, landing day) of every stored version."""
    rows = store.read(HISTORY).to_pylist()
    found = [
        (r["customer_id"], r["country"], r[VALID_FROM], r[VALID_TO], r[LANDING_DATE]) for r in rows
    ]
    return sorted(found, key=lambda r: (r[0], r[2], r[4]))


def table(store: DeltaStore) -> pa.Table:
    return store.read(HISTORY).sort_by([("customer_id", "ascending"), (LANDING_DATE, "ascending")])


DAYS: dict[date, list[Version]] = {
    D1: [("C1", "US", D1, 9, D1), ("C2", "DE", D1, 10, D1)],
    D2: [("C1", "FR", D2, 12, D2)],
    D3: [("C1", "GB", D3, 8, D3), ("C2", "AT", D3, 9, D3)],
}


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    return DeltaStore(str(tmp_path / "lake"))


def test_a_version_is_valid_from_its_updated_at_until_the_next_one(store: DeltaStore) -> None:
    for day, versions in DAYS.items():
        publish(store, day, versions)

    assert intervals(store) == [
        ("C1", "US", at(D1, 9), at(D2, 12), D1),
        ("C1", "FR", at(D2, 12), at(D3, 8), D2),
        ("C1", "GB", at(D3, 8), None, D3),
        ("C2", "DE", at(D1, 10), at(D3, 9), D1),
        ("C2", "AT", at(D3, 9), None, D3),
    ]


def test_any_run_order_gives_the_table_of_forwards(store: DeltaStore, tmp_path: Path) -> None:
    for day, versions in DAYS.items():
        publish(store, day, versions)
    for n, order in enumerate([[D3, D2, D1], [D2, D3, D1]]):
        other = DeltaStore(str(tmp_path / f"order{n}"))
        for day in order:
            publish(other, day, DAYS[day])

        assert table(other).equals(table(store)), order


def test_a_late_older_version_shortens_its_predecessor_in_another_day(store: DeltaStore) -> None:
    publish(store, D1, DAYS[D1])
    publish(store, D2, DAYS[D2])
    # Landed on day 3, changed on day 1 at noon: between C1's US (day 1) and FR (day 2).
    update = publish(store, D3, [("C1", "CA", D1, 12, D3)])

    assert update.days == [D1, D3]  # US's partition is rewritten, FR's day is not
    assert intervals(store) == [
        ("C1", "US", at(D1, 9), at(D1, 12), D1),
        ("C1", "CA", at(D1, 12), at(D2, 12), D3),
        ("C1", "FR", at(D2, 12), None, D2),
        ("C2", "DE", at(D1, 10), None, D1),
    ]


def test_rerunning_a_day_gives_the_same_table(store: DeltaStore) -> None:
    for day, versions in DAYS.items():
        publish(store, day, versions)
    before, version = table(store), store.table(HISTORY).version()

    update = publish(store, D2, DAYS[D2])

    assert update.days == [D2]
    assert store.table(HISTORY).version() == version + 1
    assert table(store).equals(before)


def test_a_redelivered_version_holds_its_interval_once_and_a_rerun_can_withdraw_it(
    store: DeltaStore,
) -> None:
    publish(store, D1, DAYS[D1])
    publish(store, D2, [("C1", "US", D1, 9, D2)])  # day 1's version of C1, delivered again

    assert intervals(store)[:2] == [
        ("C1", "US", at(D1, 9), at(D1, 9), D1),  # empty: no point in time falls into it
        ("C1", "US", at(D1, 9), None, D2),
    ]
    publish(store, D2, [])  # day 2 re-run without it: day 1's delivery holds it again

    assert intervals(store)[0] == ("C1", "US", at(D1, 9), None, D1)


def _set(history: pa.Table, row: int, column: str, value: datetime | None) -> pa.Table:
    values = history.column(column).to_pylist()
    values[row] = value
    index = history.schema.get_field_index(column)
    return history.set_column(index, column, pa.array(values, history.schema.field(column).type))


def test_check_validity_passes_chained_intervals() -> None:
    history = with_validity(delivered([*DAYS[D1], *DAYS[D2], *DAYS[D3]]), CUSTOMERS)
    assert check_validity(history, CUSTOMERS).passed


@pytest.mark.parametrize(
    ("row", "valid_to", "broken"),
    [
        (0, at(D2, 18), "overlap"),  # C1 US ends after FR begins
        (0, at(D2, 6), "gap"),  # C1 US ends before FR begins
        (0, None, "two open versions"),
        (0, at(D1, 8), "ends before it begins"),
    ],
)
def test_check_validity_finds_broken_intervals(
    row: int, valid_to: datetime | None, broken: str
) -> None:
    history = with_validity(delivered([*DAYS[D1], *DAYS[D2], *DAYS[D3]]), CUSTOMERS)
    assert history["country"][row].as_py() == "US"

    outcome = check_validity(_set(history, row, VALID_TO, valid_to), CUSTOMERS)

    assert outcome.name == CheckName.HISTORY_VALIDITY, broken
    assert not outcome.passed and outcome.blocking, broken
    assert outcome.failing_rows == 1, broken
    assert outcome.sample[0]["customer_id"] == "C1", broken


def test_a_dimension_refined_before_history_starts_it_from_its_current_rows(
    store: DeltaStore,
) -> None:
    current = delivered([("C1", "FR", D2, 12, D2), ("C2", "DE", D1, 10, D1)])
    store.overwrite(["silver", "customers"], current)

    adopt_dimension_history(store, CUSTOMERS)
    publish(store, D1, DAYS[D1])  # the old day again: its older version of C1 slots in

    assert intervals(store) == [
        ("C1", "US", at(D1, 9), at(D2, 12), D1),
        ("C1", "FR", at(D2, 12), None, D2),
        ("C2", "DE", at(D1, 10), None, D1),
    ]


def test_a_column_declared_later_reads_as_null_in_older_versions(store: DeltaStore) -> None:
    publish(store, D1, DAYS[D1])
    moved = ColumnSpec(name="is_moved", type="boolean", expr="country <> 'US'")
    changed = CUSTOMERS.model_copy(update={"columns": [*CUSTOMERS.columns, moved]})
    rows = delivered(DAYS[D2]).append_column("is_moved", pa.array([True]))
    update = history_update(store, changed, [D2], rows.select(silver_schema(changed).names))

    assert update.validity.passed
    assert update.days == [D1, D2]  # C1's US version now ends at FR
    store.replace_partitions(HISTORY, update.rows, LANDING_DATE, update.days)
    found = {(r["country"], r["is_moved"]) for r in store.read(HISTORY).to_pylist()}
    assert found == {("US", None), ("DE", None), ("FR", True)}
