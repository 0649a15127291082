"""Declared column types in DuckDB and Arrow terms."""

from __future__ import annotations

import pyarrow as pa

from lakehouse.sources.spec import DECIMAL_TYPE

_DUCKDB = {
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
}
_ARROW = {
    "string": pa.string(),
    "boolean": pa.bool_(),
    "int": pa.int32(),
    "bigint": pa.int64(),
    "double": pa.float64(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def duckdb_type(declared: str) -> str:
    """The DuckDB type for a declared type (``timestamp`` is always UTC)."""
    match = DECIMAL_TYPE.match(declared)
    if match:
        return f"DECIMAL({match[1]},{match[2]})"
    return _DUCKDB[declared]


def arrow_type(declared: str) -> pa.DataType:
    """The Arrow type a declared column has in silver."""
    match = DECIMAL_TYPE.match(declared)
    if match:
        return pa.decimal128(int(match[1]), int(match[2]))
    return _ARROW[declared]


def quote(identifier: str) -> str:
    """A DuckDB-quoted identifier."""
    return '"' + identifier.replace('"', '""') + '"'
