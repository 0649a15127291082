"""Gold mart contracts: each mart's dbt YAML (columns, descriptions, tests) is its contract.

The dbt tests are the rules and Dagster shows them as the mart's asset checks, so a rule is
stated once; this module reads the YAML as a neutral ``Contract`` for the breaking-change gate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from lakehouse.contracts.diff import ColumnContract, Contract, Setting


def _tests(node: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """``{test_name: arguments}`` of a model's or column's ``data_tests`` (or ``tests``)."""
    found: dict[str, Mapping[str, Any]] = {}
    for test in node.get("data_tests") or node.get("tests") or []:
        if isinstance(test, str):
            found[test] = {}
        else:
            for name, config in test.items():
                config = config or {}
                found[name] = config.get("arguments", config)
    return found


def _number(bound: object) -> float | None:
    """A numeric bound of a ``between`` test; None for none, or for a column or expression
    (``max_value: snapshot_date``): dbt enforces those, a contract range cannot state them."""
    if bound is None or isinstance(bound, bool):
        return None
    try:
        return float(bound)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _column(column: Mapping[str, Any]) -> ColumnContract:
    tests = _tests(column)
    minimum = maximum = None
    if "non_negative" in tests:
        minimum = 0.0
    if "between" in tests:
        minimum = tests["between"].get("min_value", minimum)
        maximum = tests["between"].get("max_value")
    values = tests.get("accepted_values", {}).get("values")
    relation = tests.get("relationships")
    return ColumnContract(
        name=column["name"],
        type=str(column.get("data_type") or "unspecified"),
        nullable="not_null" not in tests,
        unique="unique" in tests,
        accepted_values=tuple(values) if values else None,
        min=_number(minimum),
        max=_number(maximum),
        references=f"{relation.get('to')}.{relation.get('field')}" if relation else None,
        landed_name=column["name"],
        description=str(column.get("description") or ""),
    )


def parse_mart_contract(text: str, origin: str) -> Contract:
    """Parse a mart's dbt YAML (one model) into its contract.

    Raises:
        ValueError: the file is not valid YAML or does not describe exactly one model.
    """
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise ValueError(f"{origin}: not valid YAML: {error}") from None
    models = document.get("models") or []
    if len(models) != 1:
        raise ValueError(f"{origin}: expected exactly one model, found {len(models)}")
    model = models[0]
    keys = _tests(model).get("unique_combination", {}).get("columns")
    meta = (model.get("config") or {}).get("meta") or {}
    return Contract(
        name=model["name"],
        columns=tuple(_column(c) for c in model.get("columns") or []),
        settings={
            "keys": Setting(tuple(keys) if keys else None),
            "partition_by": Setting((meta.get("delta") or {}).get("partition_by")),
            "description": Setting(model.get("description"), "never"),
        },
    )
