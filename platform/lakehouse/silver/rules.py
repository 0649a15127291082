"""Row-level contract rules as DuckDB expressions: each yields a reason when a row breaks it."""

from __future__ import annotations

from lakehouse.sources import ColumnSpec, SourceSpec
from lakehouse.sources.types import duckdb_type, quote

RAW_PREFIX = "__raw__"
"""Typed rows keep each landed value next to its typed column, as ``__raw__<column>``."""


def raw_value(column: ColumnSpec) -> str:
    """The landed text of ``column`` in bronze, blank as NULL."""
    return f"nullif(trim({quote(column.landed_name or column.name)}), '')"


def typed_value(column: ColumnSpec) -> str:
    """The landed value cast to the declared type (NULL when it does not cast)."""
    raw = raw_value(column)
    if column.type == "string":
        return f"{column.transform}({raw})" if column.transform in ("lower", "upper") else raw
    return f"try_cast({raw} AS {duckdb_type(column.type)})"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def reason_expressions(spec: SourceSpec) -> list[str]:
    """One SQL expression per rule, over typed rows; each is NULL or the reason text."""
    rules: list[str] = []
    for column in spec.columns:
        name = quote(column.name)
        if column.landed_name and column.type != "string":
            raw = quote(RAW_PREFIX + column.name)
            rules.append(
                f"CASE WHEN {raw} IS NOT NULL AND {name} IS NULL "
                f"THEN 'type: {column.name} is not {column.type}' END"
            )
        if not column.nullable or column.name in spec.keys:
            present = quote(RAW_PREFIX + column.name) if column.landed_name else name
            rules.append(f"CASE WHEN {present} IS NULL THEN 'null: {column.name} is required' END")
        if column.accepted_values:
            values = ", ".join(_literal(v) for v in column.accepted_values)
            rules.append(
                f"CASE WHEN {name} NOT IN ({values}) "
                f"THEN 'accepted_values: {column.name} not accepted' END"
            )
        if column.min is not None:
            rules.append(
                f"CASE WHEN {name} < {column.min} THEN 'range: {column.name} < {column.min:g}' END"
            )
        if column.max is not None:
            rules.append(
                f"CASE WHEN {name} > {column.max} THEN 'range: {column.name} > {column.max:g}' END"
            )
    return rules


def masked(expression: str, column: ColumnSpec) -> str:
    """``expression`` with the column's PII masking applied (parameter ``$pii_key``)."""
    if column.pii == "hash":
        token = f"'pii_' || substr(sha256($pii_key || '|' || {expression}), 1, 32)"
        return f"CASE WHEN {expression} IS NULL THEN NULL ELSE {token} END"
    if column.pii == "redact":
        return f"CASE WHEN {expression} IS NULL THEN NULL ELSE '***' END"
    return expression
