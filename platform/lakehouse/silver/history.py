"""Every version of a source's rows, kept per landing day; a dimension's with its validity.

A fact keeps its versions in ``silver/<fact>_history`` to re-decide its latest version in any
run order. A type-2 dimension (``SourceSpec.type2``) keeps them in ``silver/<dimension>_history``
with ``valid_from`` / ``valid_to``, so a mart can join the version valid when a fact happened.
A key's versions, taken in order (``order_by``, then landing day), are valid from their
``order_by`` until the next one's (half-open); the latest is open (``valid_to`` null). The same
version delivered on several days is one version: the latest delivery holds its interval, the
earlier ones keep an empty one (``valid_to`` = ``valid_from``) so every delivery stays and any
day can be re-run.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from lakehouse.lake import duck
from lakehouse.quality.audit import SAMPLE_ROWS, CheckOutcome
from lakehouse.quality.names import CHECKS, CheckName
from lakehouse.silver.transform import ROW, silver_schema
from lakehouse.sources import LANDING_DATE, SourceSpec
from lakehouse.sources.types import quote

HISTORY_SUFFIX = "_history"
VALID_FROM = "valid_from"
VALID_TO = "valid_to"


def history_key(spec: SourceSpec) -> list[str]:
    """Where a source keeps every landing day's version of its rows: ``silver/<name>_history``."""
    return ["silver", f"{spec.name}{HISTORY_SUFFIX}"]


def _order_by(spec: SourceSpec) -> str:
    if not spec.type2 or spec.order_by is None:
        raise ValueError(f"source {spec.name!r} is not a dimension with order_by: no validity")
    return spec.order_by


def history_schema(spec: SourceSpec) -> pa.Schema:
    """A type-2 dimension's history: its silver columns, then ``valid_from``, ``valid_to``."""
    silver = silver_schema(spec)
    fields, at = list(silver), silver.field(_order_by(spec)).type
    end = len(spec.columns)
    fields[end:end] = [pa.field(VALID_FROM, at), pa.field(VALID_TO, at)]
    return pa.schema(fields)


def validity_order(spec: SourceSpec) -> str:
    """SQL ordering of a key's versions, oldest first (the reverse of ``version_order``)."""
    columns = [quote(_order_by(spec)), quote(LANDING_DATE), '"_ingested_at"', '"_source_file"']
    return f"{columns[0]} ASC NULLS FIRST, " + ", ".join(f"{c} ASC" for c in columns[1:])


def with_validity(rows: pa.Table, spec: SourceSpec) -> pa.Table:
    """``rows`` (every version of their keys, silver columns) with their validity, in the
    history schema, ordered by key and validity.

    ``valid_from`` is the version's ``order_by``; ``valid_to`` the next version's (null for
    the latest). Deterministic: the same versions give the same table in any input order.
    """
    schema = history_schema(spec)
    names = [f.name for f in silver_schema(spec)]
    keys = ", ".join(quote(k) for k in spec.keys)
    order = quote(_order_by(spec))
    positions = pa.array(np.arange(rows.num_rows, dtype=np.int64))
    ordering = [*spec.keys, _order_by(spec), LANDING_DATE, "_ingested_at", "_source_file"]
    con = duck.connect()
    try:
        con.register("versions", rows.select(ordering).append_column(ROW, positions))
        found = con.sql(
            f"SELECT {ROW}, lead({order}) OVER w AS {VALID_TO} FROM versions "
            f"WINDOW w AS (PARTITION BY {keys} ORDER BY {validity_order(spec)}) "
            f"ORDER BY {keys}, {validity_order(spec)}"
        ).to_arrow_table()
    finally:
        con.close()
    ordered = rows.select(names).take(found.column(ROW))
    valid_from = ordered.column(_order_by(spec)).cast(schema.field(VALID_FROM).type)
    valid_to = found.column(VALID_TO).cast(schema.field(VALID_TO).type)
    columns = {name: ordered.column(name) for name in names}
    columns |= {VALID_FROM: valid_from, VALID_TO: valid_to}
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def validity_columns(spec: SourceSpec) -> list[str]:
    """The columns ``check_validity`` reads: keys, validity and landing day."""
    return [*spec.keys, VALID_FROM, VALID_TO, LANDING_DATE]


def check_validity(history: pa.Table, spec: SourceSpec) -> CheckOutcome:
    """Each key's validity intervals in ``history`` (at least ``validity_columns``) chain
    without overlap or gap: taken in order, each ends where the next begins, none ends before
    it begins, and only the last is open."""
    keys = ", ".join(quote(k) for k in spec.keys)
    con = duck.connect()
    try:
        con.register("history", history.select(validity_columns(spec)))
        con.execute(
            f"CREATE TEMP TABLE chained AS SELECT *, lead({VALID_FROM}) OVER w AS next_from, "
            f"row_number() OVER w = count(*) OVER (PARTITION BY {keys}) AS is_last FROM history "
            f"WINDOW w AS (PARTITION BY {keys} ORDER BY {VALID_FROM} ASC NULLS FIRST, "
            f"{VALID_TO} ASC NULLS LAST, {quote(LANDING_DATE)} ASC)"
        )
        broken = (
            f"{VALID_TO} < {VALID_FROM} OR CASE WHEN is_last THEN {VALID_TO} IS NOT NULL "
            f"ELSE {VALID_TO} IS DISTINCT FROM next_from END"
        )
        count = con.sql(f"SELECT count(*) FROM chained WHERE {broken}").fetchall()[0][0]
        sample = con.sql(
            f"SELECT {', '.join(quote(c) for c in validity_columns(spec))} FROM chained "
            f"WHERE {broken} ORDER BY ALL LIMIT {SAMPLE_ROWS}"
        ).to_arrow_table()
    finally:
        con.close()
    return CheckOutcome(
        name=CheckName.HISTORY_VALIDITY,
        passed=count == 0,
        description=f"{CHECKS[CheckName.HISTORY_VALIDITY].description} {history.num_rows} "
        f"versions of silver/{spec.name}{HISTORY_SUFFIX}.",
        observed=count,
        threshold=0,
        failing_rows=count,
        sample=sample.to_pylist(),
    )
