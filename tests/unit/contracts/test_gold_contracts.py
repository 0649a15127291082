"""Gold marts' dbt YAML files are contracts for the breaking-change gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakehouse.contracts.diff import diff_contracts
from lakehouse.contracts.gold import parse_mart_contract
from lakehouse.settings import project_dir

MARTS = project_dir() / "dbt_project" / "models" / "marts"


@pytest.mark.parametrize("path", sorted(MARTS.glob("*.yml")), ids=lambda p: p.stem)
def test_every_mart_yaml_is_a_contract_with_described_columns(path: Path) -> None:
    contract = parse_mart_contract(path.read_text(), str(path))
    assert contract.name == path.stem
    assert contract.columns
    assert all(c.description for c in contract.columns), "every mart column is described"


def test_orders_daily_contract_reads_rules_from_dbt_tests() -> None:
    path = MARTS / "orders_daily.yml"
    contract = parse_mart_contract(path.read_text(), str(path))
    columns = {c.name: c for c in contract.columns}
    assert not columns["order_date"].nullable
    assert columns["revenue"].min == 0
    assert contract.settings["keys"].value == ("order_date", "country", "currency")
    assert contract.settings["partition_by"].value == "order_date"


def test_dropping_a_mart_column_or_loosening_not_null_is_judged() -> None:
    path = MARTS / "orders_daily.yml"
    text = path.read_text()
    old = parse_mart_contract(text, "orders_daily.yml")
    without_revenue = text.replace("      - name: revenue\n", "      - name: revenue_total\n")
    changes = diff_contracts(old, parse_mart_contract(without_revenue, "x"), "orders_daily.yml")
    assert any(c.column == "revenue" and c.severity == "breaking" for c in changes)


def test_a_file_with_two_models_is_rejected() -> None:
    with pytest.raises(ValueError, match="exactly one model"):
        parse_mart_contract("models: [{name: a}, {name: b}]", "two.yml")
