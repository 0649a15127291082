"""Latest-wins upserts computed in Arrow, so the store commits them with a plain Delta write.

delta-rs merges (and deletes, updates) write their files through DataFusion, whose parquet
carries ``string_view`` in the embedded Arrow schema; pyarrow 26 has no comparison or filter
kernels for it, so every filtered read of such a table fails (``Function 'equal' has no kernel
matching input types (string, string_view)``), in pyarrow and in DuckDB, which pushes its
filters into the Arrow scan. ``write_deltalake`` of an Arrow table writes the types it is
given, so the store decides here which rows survive and writes them itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from lakehouse.lake import duck
from lakehouse.lake.predicates import quote_identifier

_POS = "__pos"


@dataclass(frozen=True)
class Upsert:
    """Positions of the stored and incoming rows that survive an upsert, and its counts."""

    kept: pa.Array
    """Positions of stored rows that stay as they are."""
    incoming: pa.Array
    """Positions of incoming rows written (new keys, and matches that win)."""
    inserted: int
    updated: int


def _positions(table: pa.Table, columns: Sequence[str]) -> pa.Table:
    positions = pa.array(np.arange(table.num_rows, dtype=np.int64))
    return table.select(list(columns)).append_column(_POS, positions)


def plan_upsert(
    stored: pa.Table, incoming: pa.Table, keys: Sequence[str], newer_column: str | None
) -> Upsert:
    """Which rows an upsert of ``incoming`` into ``stored`` on ``keys`` keeps.

    Like ``MERGE ... WHEN MATCHED [AND s.newer >= t.newer OR t.newer IS NULL] UPDATE WHEN NOT
    MATCHED INSERT``: an incoming row replaces the stored row with its key unless
    ``newer_column`` is given and the stored value is greater; keys are unique in
    ``incoming`` (checked by the caller).
    """
    columns = [*keys, *([newer_column] if newer_column else [])]
    on = " AND ".join(f"s.{quote_identifier(k)} = i.{quote_identifier(k)}" for k in keys)
    wins = "true"
    if newer_column:
        col = quote_identifier(newer_column)
        wins = f"i.{col} >= s.{col} OR s.{col} IS NULL"
    con = duck.connect()
    try:
        con.register("stored", _positions(stored, columns))
        con.register("incoming", _positions(incoming, columns))
        con.execute(
            f"CREATE TEMP TABLE matched AS SELECT s.{_POS} AS s_pos, i.{_POS} AS i_pos, "
            f"coalesce({wins}, false) AS wins FROM stored s JOIN incoming i ON {on}"
        )
        kept = con.sql(
            f"SELECT {_POS} FROM stored WHERE {_POS} NOT IN "
            f"(SELECT s_pos FROM matched WHERE wins) ORDER BY {_POS}"
        ).to_arrow_table()
        written = con.sql(
            f"SELECT {_POS} FROM incoming WHERE {_POS} NOT IN "
            f"(SELECT i_pos FROM matched WHERE NOT wins) ORDER BY {_POS}"
        ).to_arrow_table()
        updated = con.sql("SELECT count(*) FROM matched WHERE wins").fetchall()[0][0]
    finally:
        con.close()
    return Upsert(
        kept=kept.column(0).combine_chunks(),
        incoming=written.column(0).combine_chunks(),
        inserted=written.num_rows - updated,
        updated=updated,
    )


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with ``schema``'s columns in its order and types; missing ones as nulls."""
    columns = [
        table.column(f.name).cast(f.type)
        if f.name in table.column_names
        else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def upserted(
    stored: pa.Table, incoming: pa.Table, keys: Sequence[str], newer_column: str | None
) -> tuple[pa.Table, Upsert]:
    """The whole table after the upsert, in the stored schema plus incoming's new columns."""
    plan = plan_upsert(stored, incoming, keys, newer_column)
    schema = pa.schema(
        [*stored.schema, *(f for f in incoming.schema if f.name not in stored.schema.names)]
    )
    rows = pa.concat_tables(
        [conform(stored.take(plan.kept), schema), conform(incoming.take(plan.incoming), schema)]
    )
    return rows, plan
