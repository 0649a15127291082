"""A key's versions: the latest of each key, and the landing days a fact's update rewrites."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.lake import duck
from lakehouse.lake.memory import release_unused_memory
from lakehouse.silver.transform import ROW, version_order
from lakehouse.sources import LANDING_DATE, SourceSpec
from lakehouse.sources.types import quote


def latest_versions(rows: pa.Table, spec: SourceSpec) -> pa.Table:
    """One row per business key of ``rows``: its latest version (see ``version_order``).

    ``rows`` itself (no copy) when each key has one row, as a new day's facts mostly do.
    """
    keys = ", ".join(quote(k) for k in spec.keys)
    con = duck.connect()
    try:
        con.register("key_columns", rows.select(spec.keys))
        ((distinct,),) = con.sql(
            f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM key_columns)"
        ).fetchall()
        if distinct == rows.num_rows:
            return rows  # every key once: nothing to rank (and no sort of every version)
        con.register("versions", rows.append_column(ROW, pa.array(np.arange(rows.num_rows))))
        positions = con.sql(
            f"SELECT {ROW} FROM versions QUALIFY row_number() OVER "
            f"(PARTITION BY {keys} ORDER BY {', '.join(version_order(spec))}) = 1 ORDER BY {ROW}"
        ).to_arrow_table()
    finally:
        con.close()
        release_unused_memory()
    return rows.take(positions.column(0))


def replaced_days(
    published: Sequence[date], located: pa.Table, winners: pa.Table, keys: list[str]
) -> list[date]:
    """Landing days of a fact's current table to rewrite so that it holds exactly ``winners``.

    ``located`` holds the keys and landing day of the current rows of the keys being
    re-decided, ``winners`` their new latest versions. The ``published`` days are always
    rewritten; another day only when the keys living there change. When every row of both
    lies in the published days (a day re-run, its facts still its own), nothing is compared.
    """
    landed = pa.chunked_array(
        [*located.column(LANDING_DATE).chunks, *winners.column(LANDING_DATE).chunks],
        pa.date32(),
    )
    if not pc.any(pc.invert(pc.is_in(landed, pa.array(published, pa.date32())))).as_py():
        return sorted(set(published))
    pair = [*keys, LANDING_DATE]
    cols = ", ".join(quote(c) for c in pair)
    con = duck.connect()
    try:
        con.register("located", located.select(pair))
        con.register("winners", winners.select(pair))
        changed = con.sql(
            f"WITH c AS (SELECT {cols} FROM located), w AS (SELECT {cols} FROM winners), "
            f"moved AS ((SELECT * FROM c EXCEPT SELECT * FROM w) "
            f"UNION ALL (SELECT * FROM w EXCEPT SELECT * FROM c)) "
            f"SELECT DISTINCT {quote(LANDING_DATE)} FROM moved"
        ).fetchall()
    finally:
        con.close()
    return sorted({*published, *(d for (d,) in changed)})
