"""Contract diff: each rule classifies a change as breaking or not, with a message naming it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lakehouse.contracts.diff import (
    Change,
    ColumnContract,
    Contract,
    Setting,
    Severity,
    compare_types,
    diff_contracts,
    is_breaking,
)
from lakehouse.contracts.revisions import source_contract
from lakehouse.sources import load_sources

WHERE = "platform/lakehouse/sources/orders.yaml"
ORDER_ID = ColumnContract("order_id", "string", nullable=False, landed_name="order_id")
TOTAL = ColumnContract("order_total", "decimal(12,2)", min=0, landed_name="order_total")
STATUS = ColumnContract(
    "status", "string", accepted_values=("pending", "shipped"), landed_name="status"
)
BASE = Contract(
    "orders",
    (ORDER_ID, TOTAL, STATUS),
    {"keys": Setting(("order_id",)), "owner": Setting("team:commerce", "never")},
)


def with_column(column: ColumnContract) -> Contract:
    columns = tuple(column if c.name == column.name else c for c in BASE.columns)
    if column.name not in {c.name for c in BASE.columns}:
        columns += (column,)
    return replace(BASE, columns=columns)


def only_change(new: Contract, old: Contract = BASE) -> Change:
    changes = diff_contracts(old, new, WHERE)
    assert len(changes) == 1, changes
    return changes[0]


def test_identical_contracts_have_no_changes() -> None:
    assert diff_contracts(BASE, BASE, WHERE) == []


def test_removed_column_is_breaking_and_names_the_column() -> None:
    change = only_change(replace(BASE, columns=(ORDER_ID, STATUS)))
    assert change.severity is Severity.BREAKING
    assert change.column == "order_total"
    assert "removed" in change.message
    assert WHERE in str(change) and "order_total" in str(change)


def test_renamed_column_is_a_breaking_removal_that_mentions_the_likely_rename() -> None:
    renamed = replace(TOTAL, name="total_amount", landed_name="total_amount", nullable=True)
    changes = diff_contracts(BASE, replace(BASE, columns=(ORDER_ID, renamed, STATUS)), WHERE)
    removal = next(c for c in changes if c.column == "order_total")
    assert removal.severity is Severity.BREAKING
    assert "likely renamed to 'total_amount'" in removal.message
    addition = next(c for c in changes if c.column == "total_amount")
    assert addition.severity is Severity.NON_BREAKING


def test_removal_mentions_no_rename_when_no_added_column_has_the_same_type() -> None:
    other = ColumnContract("note", "string", landed_name="note")
    changes = diff_contracts(BASE, replace(BASE, columns=(ORDER_ID, STATUS, other)), WHERE)
    removal = next(c for c in changes if c.column == "order_total")
    assert "renamed" not in removal.message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("decimal(12,2)", "decimal(10,2)"),
        ("decimal(12,2)", "decimal(12,1)"),
        ("decimal(12,2)", "decimal(12,4)"),
        ("bigint", "int"),
        ("double", "int"),
        ("double", "bigint"),
        ("double", "decimal(38,10)"),
        ("timestamp", "date"),
        ("string", "int"),
        ("string", "timestamp"),
        ("int", "string"),
        ("boolean", "int"),
        ("date", "int"),
        ("decimal(12,2)", "double"),
        ("decimal(12,2)", "bigint"),
        ("int", "decimal(9,0)"),
    ],
)
def test_narrowed_or_incompatible_type_is_breaking(old: str, new: str) -> None:
    assert compare_types(old, new)[0] == "narrowed"
    change = only_change(
        with_column(ColumnContract("x", new, landed_name="x")),
        with_column(ColumnContract("x", old, landed_name="x")),
    )
    assert change.severity is Severity.BREAKING
    assert f"{old} → {new}" in change.message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("int", "bigint"),
        ("int", "double"),
        ("bigint", "double"),
        ("int", "decimal(10,0)"),
        ("bigint", "decimal(21,2)"),
        ("decimal(12,2)", "decimal(14,2)"),
        ("decimal(12,2)", "decimal(14,4)"),
        ("decimal(9,0)", "int"),
        ("date", "timestamp"),
    ],
)
def test_widened_type_is_not_breaking(old: str, new: str) -> None:
    assert compare_types(old, new)[0] == "widened"
    change = only_change(
        with_column(ColumnContract("x", new, landed_name="x")),
        with_column(ColumnContract("x", old, landed_name="x")),
    )
    assert change.severity is Severity.NON_BREAKING
    assert "widened" in change.message


def test_decimal_narrowing_says_what_is_lost() -> None:
    assert "integer digits 10 → 8" in compare_types("decimal(12,2)", "decimal(10,2)")[1]
    assert "scale 2 → 1" in compare_types("decimal(12,2)", "decimal(12,1)")[1]


def test_nullable_to_required_is_breaking_and_back_is_not() -> None:
    tightened = only_change(with_column(replace(TOTAL, nullable=False)))
    assert tightened.severity is Severity.BREAKING
    assert "nullable: true → false" in tightened.message
    loosened = only_change(BASE, with_column(replace(TOTAL, nullable=False)))
    assert loosened.severity is Severity.NON_BREAKING


def test_removed_accepted_value_is_breaking() -> None:
    change = only_change(with_column(replace(STATUS, accepted_values=("pending",))))
    assert change.severity is Severity.BREAKING
    assert "shipped" in change.message


def test_added_accepted_value_is_not_breaking() -> None:
    values = ("pending", "shipped", "cancelled")
    change = only_change(with_column(replace(STATUS, accepted_values=values)))
    assert change.severity is Severity.NON_BREAKING
    assert "cancelled" in change.message


def test_adding_accepted_values_where_there_were_none_is_breaking() -> None:
    unrestricted = with_column(replace(STATUS, accepted_values=None))
    assert only_change(BASE, unrestricted).severity is Severity.BREAKING
    assert only_change(unrestricted, BASE).severity is Severity.NON_BREAKING


@pytest.mark.parametrize(
    ("old", "new", "breaking"),
    [
        ({"min": 0}, {"min": 1}, True),
        ({"min": 0}, {"min": -5}, False),
        ({"min": 0}, {"min": None}, False),
        ({"min": None}, {"min": 0}, True),
        ({"max": 100}, {"max": 50}, True),
        ({"max": 100}, {"max": 500}, False),
        ({"max": None}, {"max": 100}, True),
        ({"max": 100}, {"max": None}, False),
    ],
)
def test_tightened_ranges_break_and_loosened_ones_do_not(
    old: dict[str, float | None], new: dict[str, float | None], breaking: bool
) -> None:
    before = with_column(replace(TOTAL, **{"min": None, **old}))
    after = with_column(replace(TOTAL, **{"min": None, **new}))
    change = only_change(after, before)
    assert (change.severity is Severity.BREAKING) is breaking


def test_key_change_is_breaking() -> None:
    new = replace(BASE, settings={**BASE.settings, "keys": Setting(("order_id", "status"))})
    change = only_change(new)
    assert change.severity is Severity.BREAKING
    assert change.column is None and "keys" in change.message


def test_owner_and_description_changes_are_not_breaking() -> None:
    owner = replace(BASE, settings={**BASE.settings, "owner": Setting("team:other", "never")})
    assert only_change(owner).severity is Severity.NON_BREAKING
    described = only_change(with_column(replace(TOTAL, description="Sum of the items.")))
    assert described.severity is Severity.NON_BREAKING


def test_added_nullable_column_is_not_breaking() -> None:
    change = only_change(with_column(ColumnContract("coupon", "string", landed_name="coupon")))
    assert change.severity is Severity.NON_BREAKING
    assert change.column == "coupon"


def test_added_required_landed_column_is_breaking_for_producers() -> None:
    column = ColumnContract("coupon", "string", nullable=False, landed_name="coupon")
    change = only_change(with_column(column))
    assert change.severity is Severity.BREAKING
    assert "producers must send it" in change.message


def test_added_required_derived_column_is_not_breaking() -> None:
    column = ColumnContract("order_day", "date", nullable=False, landed_name=None)
    assert only_change(with_column(column)).severity is Severity.NON_BREAKING


def test_removed_contract_is_breaking_and_a_new_one_is_not() -> None:
    (removed,) = diff_contracts(BASE, None, WHERE)
    assert removed.severity is Severity.BREAKING and "removed" in removed.message
    (added,) = diff_contracts(None, BASE, WHERE)
    assert added.severity is Severity.NON_BREAKING


def test_unique_references_pii_and_landed_name_tightening_is_breaking() -> None:
    for tightened in (
        replace(TOTAL, unique=True),
        replace(TOTAL, references="payments.amount"),
        replace(TOTAL, pii="redact"),
        replace(TOTAL, landed_name="total"),
    ):
        assert only_change(with_column(tightened)).severity is Severity.BREAKING, tightened
        assert only_change(BASE, with_column(tightened)).severity is (
            Severity.NON_BREAKING if tightened.landed_name == "order_total" else Severity.BREAKING
        )


def test_ordered_setting_breaks_only_when_it_tightens() -> None:
    def drift(value: str) -> Contract:
        setting = Setting(value, "raised", levels=("additive", "strict"))
        return replace(BASE, settings={**BASE.settings, "quality.schema_drift": setting})

    assert only_change(drift("strict"), drift("additive")).severity is Severity.BREAKING
    assert only_change(drift("additive"), drift("strict")).severity is Severity.NON_BREAKING


def test_source_declaration_contract_sees_a_lowered_error_budget_as_breaking() -> None:
    orders = {s.name: s for s in load_sources()}["orders"]
    stricter = orders.model_copy(
        update={"quality": orders.quality.model_copy(update={"error_budget": 0.001})}
    )
    changes = diff_contracts(source_contract(orders), source_contract(stricter), WHERE)
    assert is_breaking(changes)
    assert [c.message for c in changes] == [
        f"quality.error_budget: {orders.quality.error_budget} → 0.001"
    ]


def test_shipped_declarations_compare_equal_to_themselves() -> None:
    for spec in load_sources():
        assert diff_contracts(source_contract(spec), source_contract(spec), WHERE) == []
