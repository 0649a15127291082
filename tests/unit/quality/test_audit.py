"""The blocking audit checks fail exactly when the staged rows break the contract."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from lakehouse.quality.audit import audit
from lakehouse.silver.transform import silver_schema
from lakehouse.sources import load_sources

ORDERS = {s.name: s for s in load_sources()}["orders"]
SCHEMA = silver_schema(ORDERS)


def staged(**changes: object) -> pa.Table:
    row = {
        "order_id": "O1",
        "customer_id": "C1",
        "status": "shipped",
        "order_total": Decimal("10.00"),
        "currency": "USD",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
        "order_date": date(2026, 1, 1),
        "_source_file": "f",
        "_ingested_at": datetime(2026, 1, 2, tzinfo=UTC),
        "_landing_date": date(2026, 1, 1),
    }
    other = {**row, "order_id": "O2"}
    other.update(changes)
    return pa.Table.from_pylist([row, other], schema=SCHEMA)


def outcomes(table: pa.Table) -> dict[str, bool]:
    return {o.name: o.passed for o in audit(table, ORDERS, SCHEMA)}


def test_clean_rows_pass_every_check() -> None:
    assert all(outcomes(staged()).values())


@pytest.mark.parametrize(
    ("changes", "failing"),
    [
        ({"customer_id": None}, "not_null"),
        ({"order_id": "O1"}, "unique_keys"),
        ({"status": "teleported"}, "accepted_values"),
        ({"order_total": Decimal("-1.00")}, "value_ranges"),
    ],
)
def test_each_rule_fails_on_its_violation(changes: dict[str, object], failing: str) -> None:
    result = outcomes(staged(**changes))
    assert result[failing] is False
    assert all(passed for name, passed in result.items() if name != failing)


def test_failing_check_carries_count_and_sample() -> None:
    [outcome] = [o for o in audit(staged(status="lost"), ORDERS, SCHEMA) if not o.passed]
    assert outcome.failing_rows == 1
    assert outcome.sample[0]["status"] == "lost"
    assert outcome.metadata()["failing_rows"] == 1


def test_schema_check_names_the_type_change() -> None:
    table = staged().set_column(
        SCHEMA.get_field_index("order_total"),
        "order_total",
        pa.array([1.0, 2.0], pa.float64()),
    )
    [schema_check] = [o for o in audit(table, ORDERS, SCHEMA) if o.name == "contract_schema"]
    assert not schema_check.passed
    assert "order_total: expected decimal128(12, 2), found double" in str(schema_check.observed)
