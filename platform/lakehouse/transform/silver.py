"""Silver: type, clean, deduplicate and mask a bronze partition, in DuckDB, from a declaration."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from lakehouse.sources import METADATA_COLUMNS, ColumnSpec, SourceSpec
from lakehouse.transform.bronze import LANDING_DATE
from lakehouse.transform.types import arrow_type, duckdb_type, quote


class SilverDataError(ValueError):
    """Bronze rows cannot become silver rows (untypable values, null keys)."""


def silver_schema(spec: SourceSpec) -> pa.Schema:
    """The schema of a source's silver table: declared columns, then lineage columns."""
    fields = [pa.field(c.name, arrow_type(c.type)) for c in spec.columns]
    fields += [
        pa.field("_source_file", pa.string()),
        pa.field("_ingested_at", pa.timestamp("us", tz="UTC")),
        pa.field(LANDING_DATE, pa.date32()),
    ]
    return pa.schema(fields)


def _raw(column: ColumnSpec) -> str:
    return f"nullif(trim({quote(column.landed_name or column.name)}), '')"


def _typed(column: ColumnSpec) -> str:
    raw = _raw(column)
    if column.type == "string":
        return f"{column.transform}({raw})" if column.transform in ("lower", "upper") else raw
    return f"try_cast({raw} AS {duckdb_type(column.type)})"


def _published(column: ColumnSpec) -> str:
    name = quote(column.name)
    if column.pii == "hash":
        token = f"'pii_' || substr(sha256($pii_key || '|' || {name}), 1, 32)"
        return f"CASE WHEN {name} IS NULL THEN NULL ELSE {token} END AS {name}"
    if column.pii == "redact":
        return f"CASE WHEN {name} IS NULL THEN NULL ELSE '***' END AS {name}"
    return name


def silver_sql(spec: SourceSpec) -> str:
    """The DuckDB query turning the view ``bronze`` into silver rows (parameter ``$pii_key``)."""
    landed = [c for c in spec.columns if not c.expr]
    derived = [c for c in spec.columns if c.expr]
    lineage = ", ".join(quote(c) for c in METADATA_COLUMNS)
    typed = ",\n    ".join(f"{_typed(c)} AS {quote(c.name)}" for c in landed)
    extra = "".join(
        f",\n    CAST(({c.expr}) AS {duckdb_type(c.type)}) AS {quote(c.name)}" for c in derived
    )
    order = [f"{quote(spec.order_by)} DESC NULLS LAST"] if spec.order_by else []
    order += ['"_ingested_at" DESC', '"_source_file" DESC']
    keys = ", ".join(quote(k) for k in spec.keys)
    published = ",\n    ".join(_published(c) for c in spec.columns)
    return f"""
WITH typed AS (
  SELECT
    {typed},
    {lineage}
  FROM bronze
), derived AS (
  SELECT *{extra} FROM typed
), ranked AS (
  SELECT *, row_number() OVER (PARTITION BY {keys} ORDER BY {", ".join(order)}) AS _rank
  FROM derived
)
SELECT
    {published},
    {lineage}
FROM ranked
WHERE _rank = 1
"""


def _check_typable(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> None:
    problems = []
    for column in spec.columns:
        if column.expr or column.type == "string":
            continue
        raw = _raw(column)
        failing = f"{raw} IS NOT NULL AND {_typed(column)} IS NULL"
        query = "SELECT count(*), any_value({}), any_value(_source_file) FROM bronze WHERE {}"
        count, example, source_file = con.execute(query.format(raw, failing)).fetchall()[0]
        if count:
            problems.append(
                f"column {column.name!r}: {count} value(s) are not {column.type}, "
                f"e.g. {example!r} in {source_file}"
            )
    keys = " OR ".join(f"{_raw(spec.column(k))} IS NULL" for k in spec.keys)
    count, source_file = con.execute(
        f"SELECT count(*), any_value(_source_file) FROM bronze WHERE {keys}"
    ).fetchall()[0]
    if count:
        problems.append(f"{count} row(s) have a null key {spec.keys}, e.g. in {source_file}")
    if problems:
        raise SilverDataError(
            f"source {spec.name!r}: bronze rows do not fit the declaration:\n  - "
            + "\n  - ".join(problems)
            + f"\nFix the landed files or the declaration (sources/{spec.name}.yaml) and re-run."
        )


def to_silver(bronze: pa.Table, spec: SourceSpec, pii_key: str) -> pa.Table:
    """Type, clean, deduplicate on the business keys (latest wins) and mask PII.

    Raises:
        SilverDataError: a value cannot be typed, or a key is null; names column, value and file.
    """
    missing = [c for c in spec.landed_columns if c not in bronze.column_names]
    if missing:
        raise SilverDataError(f"source {spec.name!r}: bronze lacks landed column(s) {missing}")
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("bronze", bronze)
        _check_typable(con, spec)
        params = {"pii_key": pii_key} if spec.pii_columns else None
        result = con.sql(silver_sql(spec), params=params).to_arrow_table()
    finally:
        con.close()
    return result.cast(silver_schema(spec))
