"""Which business dates a dimension version can re-attribute, so a late one rebuilds them.

A daily mart counts a fact under the type-2 version of a dimension valid when the fact
happened, and a fact before a key's first known version under that first version. A version
landing on day D can therefore change the marts' rows of other business dates: those of its
key's facts from its ``valid_from`` on, or all of them when it is the key's earliest version.
The way from a dimension key to the marts' business date comes from the declarations
(``references``): a column of the dated fact (``orders.customer_id``), or a column of a fact
that references the dated fact (``order_items.product_id`` with ``order_items.order_id``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from lakehouse.gold.window import DateWindow
from lakehouse.lake import DeltaStore, duck
from lakehouse.quality.trends import key_range
from lakehouse.silver.history import VALID_FROM, history_key
from lakehouse.sources import LANDING_DATE, SourceSpec
from lakehouse.sources.types import quote

KEY, SINCE, DAY = "key", "since", "day"
"""Columns of :func:`landed_since` (a dimension key and the first business date its landed
versions can re-attribute, null for every date) and of a fact's business date."""


@dataclass(frozen=True)
class AttributionPath:
    """How a type-2 dimension's key reaches the dated fact's business date."""

    dimension: SourceSpec
    fact: SourceSpec
    """The fact with a column referencing the dimension's key."""
    column: str
    """The fact's column referencing the dimension's key."""
    link: str | None
    """The fact's column referencing the dated fact's key; None when ``fact`` is dated."""


def attribution_paths(sources: Sequence[SourceSpec], dated: SourceSpec) -> list[AttributionPath]:
    """Every way from a type-2 dimension (single key) to the business date of ``dated``:
    through ``dated``'s own reference, or a fact referencing both the dimension and ``dated``."""
    paths = []
    dated_key = f"{dated.name}.{dated.keys[0]}"
    for dimension in (s for s in sources if s.type2 and len(s.keys) == 1):
        target = f"{dimension.name}.{dimension.keys[0]}"
        for fact in (s for s in sources if s.kind == "fact"):
            links = [c.name for c in fact.columns if c.references == dated_key]
            for column in (c.name for c in fact.columns if c.references == target):
                if fact.name == dated.name:
                    paths.append(AttributionPath(dimension, fact, column, None))
                elif len(dated.keys) == 1 and links:
                    paths.append(AttributionPath(dimension, fact, column, links[0]))
    return paths


def _scan(dataset: pads.Dataset, columns: list[str], where: pc.Expression) -> pa.Table:
    # use_threads=False: see lakehouse.gold.project.touched_order_dates.
    return dataset.to_table(columns=columns, filter=where, use_threads=False)


def _among(values: pa.ChunkedArray, field: pa.Field) -> pc.Expression:
    """``field`` in ``values``, with their range first so the scan skips files outside it."""
    scan = key_range(values, field)
    if scan is None:
        return pc.scalar(False)
    return scan & pc.field(field.name).isin(pc.unique(values).cast(field.type))


def landed_since(store: DeltaStore, dimension: SourceSpec, landing: DateWindow) -> pa.Table:
    """Each key of ``dimension`` with a version landed in ``landing`` (``KEY``), and the first
    business date (UTC day of ``valid_from``) its versions can re-attribute (``SINCE``); null
    when one of them is the key's earliest version, which holds the facts before it too.

    Reads the landing days' partitions of the history, and the other versions of their keys
    only where the keys' range lies.
    """
    key = dimension.keys[0]
    if not store.exists(history_key(dimension)):
        return pa.table({KEY: pa.array([], pa.string()), SINCE: pa.array([], pa.date32())})
    history = store.dataset(history_key(dimension))
    days = (pc.field(LANDING_DATE) >= landing.start) & (pc.field(LANDING_DATE) <= landing.end)
    landed = _scan(history, [key, VALID_FROM], days)
    versions = _scan(history, [key, VALID_FROM], _among(landed[key], history.schema.field(key)))
    k, at = quote(key), quote(VALID_FROM)
    con = duck.connect()
    try:
        con.register("landed", landed)
        con.register("versions", versions)
        found = con.sql(
            f"WITH earliest AS (SELECT {k}, min({at}) AS first_at, "
            f"bool_or({at} IS NULL) AS undated FROM versions GROUP BY {k}) "
            f"SELECT {k}, CASE WHEN bool_or(landed.{at} IS NULL OR undated "
            f"OR landed.{at} <= first_at) THEN NULL ELSE min(landed.{at}) END AS {SINCE} "
            f"FROM landed JOIN earliest USING ({k}) GROUP BY {k} ORDER BY {k}"
        ).to_arrow_table()
    finally:
        con.close()
    # The UTC day, as business dates are: silver timestamps are UTC.
    since = pc.cast(found[SINCE], pa.date32())
    return pa.table({KEY: found[key], SINCE: since})


def _outside(column: str, covered: DateWindow | None) -> pc.Expression:
    """``column`` outside ``covered`` (every row without it); a null date is never outside."""
    if covered is None:
        return pc.scalar(True)
    return (pc.field(column) < covered.start) | (pc.field(column) > covered.end)


def _key_days(
    store: DeltaStore,
    path: AttributionPath,
    dated: SourceSpec,
    since: pa.Table,
    covered: DateWindow | None = None,
) -> pa.Table:
    """(``KEY``, ``DAY``) of the dated facts reaching a key of ``since`` through ``path``, on
    or after the earliest ``SINCE`` and outside ``covered``; each read is pruned to the keys'
    range and those dates (file statistics skip the covered days' files)."""
    business, dated_key = str(dated.business_date), dated.keys[0]
    table = store.dataset(["silver", dated.name])
    dates = _outside(business, covered)
    if since[SINCE].null_count == 0:
        dates = dates & (pc.field(business) >= pc.min_max(since[SINCE])["min"])
    if covered is not None and table.count_rows(filter=dates, use_threads=False) == 0:
        # No dated fact outside the covered days (file statistics answer most of it): no
        # key lookup, whose set of keys spans every fact landed in a long window.
        return pa.table({KEY: pa.array([], since[KEY].type), DAY: pa.array([], pa.date32())})
    if path.link is None:
        where = _among(since[KEY], table.schema.field(path.column))
        found = _scan(table, [path.column, business], dates & where)
        return pa.table({KEY: found[path.column], DAY: found[business]})
    facts = store.dataset(["silver", path.fact.name])
    via = _scan(
        facts, [path.column, path.link], _among(since[KEY], facts.schema.field(path.column))
    )
    where = _among(via[path.link], table.schema.field(dated_key))
    found = _scan(table, [dated_key, business], dates & where)
    con = duck.connect()
    try:
        con.register("via", via)
        con.register("dated", found)
        return con.sql(
            f"SELECT via.{quote(path.column)} AS {KEY}, dated.{quote(business)} AS {DAY} "
            f"FROM via JOIN dated ON via.{quote(path.link)} = dated.{quote(dated_key)}"
        ).to_arrow_table()
    finally:
        con.close()


def path_dates(
    store: DeltaStore,
    path: AttributionPath,
    dated: SourceSpec,
    since: pa.Table,
    covered: DateWindow | None = None,
) -> list[dt.date]:
    """Business dates of ``dated``'s facts that reach a key of ``since`` (``landed_since``)
    through ``path`` on or after the key's ``SINCE`` (any date when it is null), sorted;
    with ``covered``, only those outside it."""
    if since.num_rows == 0:
        return []
    con = duck.connect()
    try:
        con.register("since", since)
        con.register("facts", _key_days(store, path, dated, since, covered))
        found = con.sql(
            f"SELECT DISTINCT {DAY} FROM facts JOIN since USING ({KEY}) "
            f"WHERE {SINCE} IS NULL OR {DAY} >= {SINCE} ORDER BY {DAY}"
        ).fetchall()
    finally:
        con.close()
    return [d for (d,) in found if d is not None]


def attributed_dates(
    store: DeltaStore,
    sources: Sequence[SourceSpec],
    business_date: str,
    landing: DateWindow,
    covered: DateWindow | None = None,
) -> list[dt.date]:
    """Business dates (``business_date`` of the fact declaring it) whose dimension attribution
    the type-2 versions landed in ``landing`` can change, sorted; none without such a fact.

    With ``covered`` (dates rebuilt anyway), only the dates outside it: the facts of the
    covered days are not read, which is most of them when ``landing`` spans many days.
    """
    dated = [s for s in sources if s.kind == "fact" and s.business_date == business_date]
    if not dated:
        return []
    dates: set[dt.date] = set()
    paths = attribution_paths(sources, dated[0])
    landed = {p.dimension.name: landed_since(store, p.dimension, landing) for p in paths}
    for path in paths:
        dates.update(path_dates(store, path, dated[0], landed[path.dimension.name], covered))
    return sorted(dates)
