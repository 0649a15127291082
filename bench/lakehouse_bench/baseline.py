"""Hand-written baseline: landing days to bronze, silver and the daily marts, by hand.

deltalake + DuckDB only (no Dagster, no dbt, nothing from the ``lakehouse`` package), doing the
platform's happy path: landing files read as text into bronze with lineage columns; typed,
validated, deduplicated on the business key and PII-masked into silver (facts replace their
landing-day partition, dimensions merge, latest wins, and keep every version for the marts'
point-in-time joins); ``orders_daily`` and ``revenue_by_product_category_daily`` rebuilt for
the business dates the days touched. It skips
what the platform adds on top: quarantine tables, write-audit-publish staging, contract and
trend checks, dbt tests, run metadata and the run history. Invalid rows are dropped.

    python bench/baseline.py --landing DIR --root DIR --start YYYY-MM-DD [--end YYYY-MM-DD]
        [--pii-key KEY] [--result FILE]

Prints (or writes to ``--result``) a JSON object: wall and CPU seconds after imports, per phase
and per day, rows per source, peak resident memory.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake

LANDING_DATE = "_landing_date"
LINEAGE = ("_source_file", "_ingested_at", LANDING_DATE)
MONEY = ("'USD'", "'EUR'", "'GBP'")


@dataclass(frozen=True)
class Source:
    """One source: landing files, keys, and its typed columns as (name, type) pairs.

    Types: ``text`` (trimmed, blank is NULL), ``lower`` / ``upper`` (text, case conformed), or
    a DuckDB type cast with ``try_cast``. ``rules`` are the row rules over typed columns.
    """

    fmt: str
    kind: str
    keys: tuple[str, ...]
    order_by: str | None
    columns: tuple[tuple[str, str], ...]
    rules: str
    derived: str = ""
    hashed: tuple[str, ...] = ()


SOURCES = {
    "customers": Source(
        "csv",
        "dimension",
        ("customer_id",),
        "updated_at",
        (
            ("customer_id", "text"),
            ("name", "text"),
            ("email", "lower"),
            ("phone", "text"),
            ("country", "upper"),
            ("signup_date", "date"),
            ("updated_at", "timestamptz"),
        ),
        "customer_id is not null and email is not null and country is not null "
        "and updated_at is not null",
        hashed=("name", "email", "phone"),
    ),
    "products": Source(
        "csv",
        "dimension",
        ("product_id",),
        "updated_at",
        (
            ("product_id", "text"),
            ("name", "text"),
            ("category", "lower"),
            ("price", "decimal(12,2)"),
            ("currency", "upper"),
            ("updated_at", "timestamptz"),
        ),
        "product_id is not null and category in ('electronics', 'home', 'garden', 'toys', "
        "'books', 'fashion', 'sports', 'beauty', 'grocery') and price >= 0 "
        "and updated_at is not null",
    ),
    "orders": Source(
        "jsonl",
        "fact",
        ("order_id",),
        "updated_at",
        (
            ("order_id", "text"),
            ("customer_id", "text"),
            ("status", "lower"),
            ("order_total", "decimal(12,2)"),
            ("currency", "upper"),
            ("created_at", "timestamptz"),
            ("updated_at", "timestamptz"),
        ),
        "order_id is not null and customer_id is not null and status in ('pending', "
        "'confirmed', 'shipped', 'delivered', 'cancelled') and order_total >= 0 "
        f"and currency in ({', '.join(MONEY)}) and created_at is not null",
        derived="cast(created_at as date) as order_date",
    ),
    "order_items": Source(
        "jsonl",
        "fact",
        ("order_id", "line_number"),
        None,
        (
            ("order_id", "text"),
            ("line_number", "integer"),
            ("product_id", "text"),
            ("quantity", "integer"),
            ("unit_price", "decimal(12,2)"),
            ("currency", "upper"),
        ),
        "order_id is not null and line_number >= 1 and product_id is not null "
        "and quantity >= 1 and unit_price >= 0 and (currency is null or currency in "
        f"({', '.join(MONEY)}))",
        derived="cast(quantity * unit_price as decimal(14,2)) as line_total",
    ),
    "payments": Source(
        "parquet",
        "fact",
        ("payment_id",),
        "paid_at",
        (
            ("payment_id", "text"),
            ("order_id", "text"),
            ("method", "lower"),
            ("amount", "decimal(12,2)"),
            ("currency", "upper"),
            ("status", "lower"),
            ("paid_at", "timestamptz"),
        ),
        "payment_id is not null and order_id is not null and method in ('card', 'paypal', "
        "'bank_transfer', 'gift_card') and amount >= 0 and (currency is null or currency in "
        f"({', '.join(MONEY)})) and status in ('authorized', 'captured', 'refunded', 'failed') "
        "and paid_at is not null",
        derived="cast(paid_at as date) as payment_date",
    ),
    "web_events": Source(
        "jsonl",
        "fact",
        ("event_id",),
        None,
        (
            ("event_id", "text"),
            ("session_id", "text"),
            ("customer_id", "text"),
            ("event_type", "lower"),
            ("url", "text"),
            ("device", "lower"),
            ("occurred_at", "timestamptz"),
        ),
        "event_id is not null and session_id is not null and event_type in ('page_view', "
        "'product_view', 'add_to_cart', 'checkout', 'purchase') and (device is null or device "
        "in ('desktop', 'mobile', 'tablet')) and occurred_at is not null",
        derived="cast(occurred_at as date) as event_date",
    ),
}


# --- landing -> bronze -----------------------------------------------------------------------


def read_text(path: Path, fmt: str) -> pa.Table:
    """One landing file with every column as text."""
    if fmt == "parquet":
        table = pq.read_table(path)
    elif path.stat().st_size == 0:
        return pa.table({})
    elif fmt == "jsonl":
        table = pajson.read_json(path)
    else:
        with path.open(newline="") as handle:
            header = next(csv.reader(handle))
        types = {name: pa.string() for name in header}
        table = pacsv.read_csv(
            path, convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True)
        )
    columns = [
        pa.nulls(len(c), pa.string()) if pa.types.is_null(c.type) else c.cast(pa.string())
        for c in table.columns
    ]
    return pa.Table.from_arrays(columns, names=table.column_names)


def bronze_batch(files: list[Path], day: date, now: datetime) -> pa.Table:
    """The day's files stacked, plus where and when each row landed."""
    parts = []
    for path in files:
        table = read_text(path, path.suffix.lstrip("."))
        rows = table.num_rows
        table = table.append_column("_source_file", pa.repeat(pa.scalar(str(path)), rows))
        table = table.append_column(
            "_ingested_at", pa.repeat(pa.scalar(now, pa.timestamp("us", tz="UTC")), rows)
        )
        parts.append(table.append_column(LANDING_DATE, pa.repeat(pa.scalar(day), rows)))
    return pa.concat_tables(parts, promote_options="default")


def replace_day(uri: str, data: pa.Table, column: str, first: date, last: date) -> None:
    """Replace the rows with ``column`` in ``[first, last]`` (creating the table if needed)."""
    if not DeltaTable.is_deltatable(uri):
        write_deltalake(uri, data, partition_by=[column])
        return
    predicate = f"{column} >= '{first.isoformat()}' AND {column} <= '{last.isoformat()}'"
    write_deltalake(uri, data, mode="overwrite", predicate=predicate)


# --- bronze -> silver ------------------------------------------------------------------------


def silver_sql(source: Source) -> str:
    """Type, validate, deduplicate (latest wins) and mask one bronze batch."""
    typed = []
    type_rules = []
    for name, kind in source.columns:
        raw = f"nullif(trim({name}), '')"
        if kind == "text":
            typed.append(f"{raw} as {name}")
        elif kind in ("lower", "upper"):
            typed.append(f"{kind}({raw}) as {name}")
        else:
            typed.append(f"try_cast({raw} as {kind}) as {name}")
            type_rules.append(f"({raw} is null or try_cast({raw} as {kind}) is not null)")
    shown = [
        f"'pii_' || substr(sha256($pii_key || '|' || {name}), 1, 32) as {name}"
        if name in source.hashed
        else name
        for name, _ in source.columns
    ]
    if source.derived:
        shown.append(source.derived)
    order = [f"{source.order_by} desc nulls last"] if source.order_by else []
    order += ["_ingested_at desc", "_source_file desc"]
    return f"""
        with typed as (
            select {", ".join(typed)}, {", ".join(LINEAGE)}
            from bronze
            where {" and ".join(type_rules) or "true"}
        )
        select {", ".join(shown)}, {", ".join(LINEAGE)}
        from typed
        where {source.rules}
        qualify row_number() over (
            partition by {", ".join(source.keys)} order by {", ".join(order)}
        ) = 1
    """


def to_silver(bronze: pa.Table, source: Source, pii_key: str) -> pa.Table:
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        con.register("bronze", bronze)
        params = {"pii_key": pii_key} if source.hashed else None
        return con.sql(silver_sql(source), params=params).to_arrow_table()
    finally:
        con.close()


def merge_dimension(uri: str, data: pa.Table, source: Source) -> None:
    """Upsert on the key; an incoming row wins when it is at least as new."""
    if not DeltaTable.is_deltatable(uri):
        write_deltalake(uri, data)
        return
    on = " and ".join(f"t.{k} = s.{k}" for k in source.keys)
    newer = f"s.{source.order_by} >= t.{source.order_by} or t.{source.order_by} is null"
    (
        DeltaTable(uri)
        .merge(data, on, source_alias="s", target_alias="t")
        .when_matched_update_all(predicate=newer)
        .when_not_matched_insert_all()
        .execute()
    )


# --- silver -> gold --------------------------------------------------------------------------

# A dimension's versions with the interval each was valid (type 2): a version runs from its
# ``updated_at`` to the next one's; a version delivered again on a later day is one version
# (its earlier deliveries get an empty interval and are dropped).
VERSIONS = """
    with delivered as (
        select *, lead(updated_at) over (
            partition by {key}
            order by updated_at, _landing_date, _ingested_at, _source_file
        ) as valid_to
        from silver_{name}_history
    ),
    versions as (
        select *, updated_at as valid_from from delivered
        where valid_to is null or valid_to > updated_at
    )
    select *, row_number() over (partition by {key} order by valid_from) = 1
        as is_first_version
    from versions
"""

LATEST_ORDERS = """
    select * from silver_orders
    where order_date between $min_date and $max_date
    qualify row_number() over (
        partition by order_id order by updated_at desc nulls last, _landing_date desc,
        _ingested_at desc
    ) = 1
"""

ORDERS_DAILY = f"""
    with orders as ({LATEST_ORDERS}),
    daily as (
        select
            orders.order_date,
            coalesce(customers.country, 'unknown') as country,
            orders.currency,
            count(*) as orders,
            count(*) filter (where orders.status = 'cancelled') as cancellations,
            coalesce(sum(orders.order_total) filter (where orders.status != 'cancelled'), 0)
                as revenue
        from orders
        left join customers_history as customers
            on orders.customer_id = customers.customer_id
            and (orders.created_at >= customers.valid_from or customers.is_first_version)
            and (orders.created_at < customers.valid_to or customers.valid_to is null)
        group by all
    )
    select
        order_date, country, currency, orders, cancellations,
        cast(revenue as decimal(18, 2)) as revenue,
        cast(round(revenue / nullif(orders - cancellations, 0), 2) as decimal(18, 2))
            as average_order_value
    from daily
"""

# A line never lands before its order's business date, so older landing days are skipped.
REVENUE_BY_CATEGORY = f"""
    with orders as (
        select order_id, order_date, created_at from ({LATEST_ORDERS})
        where status != 'cancelled'
    ),
    lines as (
        select * from silver_order_items
        where _landing_date >= $min_date
        qualify row_number() over (
            partition by order_id, line_number order by _landing_date desc, _ingested_at desc
        ) = 1
    )
    select
        orders.order_date,
        coalesce(products.category, 'unknown') as category,
        lines.currency,
        cast(sum(lines.quantity * lines.unit_price) as decimal(18, 2)) as revenue,
        cast(sum(lines.quantity) as bigint) as units,
        count(distinct lines.order_id) as orders
    from lines
    inner join orders on lines.order_id = orders.order_id
    left join products_history as products
        on lines.product_id = products.product_id
        and (orders.created_at >= products.valid_from or products.is_first_version)
        and (orders.created_at < products.valid_to or products.valid_to is null)
    group by all
"""


def build_marts(root: Path, first: date, last: date) -> dict[str, int]:
    """Rebuild the business dates ``first``..``last`` of both daily marts."""
    con = duckdb.connect()
    written = {}
    try:
        con.execute("set TimeZone = 'UTC'")
        for name in ("orders", "order_items", "customers_history", "products_history"):
            con.register(
                f"silver_{name}", DeltaTable(str(root / "silver" / name)).to_pyarrow_dataset()
            )
        for name, source in SOURCES.items():
            if source.kind == "dimension":
                versions = VERSIONS.format(name=name, key=", ".join(source.keys))
                con.execute(f"create temp table {name}_history as {versions}")
        window = {"min_date": first, "max_date": last}
        for mart, sql in (
            ("orders_daily", ORDERS_DAILY),
            ("revenue_by_product_category_daily", REVENUE_BY_CATEGORY),
        ):
            data = con.sql(sql, params=window).to_arrow_table()
            replace_day(str(root / "gold" / mart), data, "order_date", first, last)
            written[mart] = data.num_rows
    finally:
        con.close()
    return written


# --- driver ----------------------------------------------------------------------------------


def peak_rss(reset: bool = False) -> int:
    """This process's peak resident set (bytes); ``reset`` restarts the count (Linux)."""
    if reset:
        Path("/proc/self/clear_refs").write_text("5")
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def run(landing: Path, root: Path, first: date, last: date, pii_key: str) -> dict[str, object]:
    """Land every day of ``[first, last]`` into bronze and silver, then rebuild the marts."""
    started, cpu = time.perf_counter(), time.process_time()
    rss_before = peak_rss(reset=True)
    phases = {"bronze": 0.0, "silver": 0.0, "gold": 0.0}
    rows: dict[str, int] = dict.fromkeys(SOURCES, 0)
    per_day = []
    dates: set[date] = set()
    day = first
    while day <= last:
        day_started = time.perf_counter()
        now = datetime.now(UTC)
        for name, source in SOURCES.items():
            files = sorted((landing / name / day.isoformat()).glob(f"*.{source.fmt}"))
            if not files:
                continue
            tick = time.perf_counter()
            bronze = bronze_batch(files, day, now)
            replace_day(str(root / "bronze" / name), bronze, LANDING_DATE, day, day)
            phases["bronze"] += time.perf_counter() - tick
            tick = time.perf_counter()
            silver = to_silver(bronze, source, pii_key)
            uri = str(root / "silver" / name)
            if source.kind == "dimension":
                merge_dimension(uri, silver, source)
                replace_day(f"{uri}_history", silver, LANDING_DATE, day, day)
            else:
                replace_day(uri, silver, LANDING_DATE, day, day)
            if name == "orders":
                dates.update(d for d in silver.column("order_date").to_pylist() if d)
            phases["silver"] += time.perf_counter() - tick
            rows[name] += bronze.num_rows
        per_day.append(time.perf_counter() - day_started)
        day += timedelta(days=1)
    tick = time.perf_counter()
    marts = build_marts(root, min(dates), max(dates)) if dates else {}
    phases["gold"] = time.perf_counter() - tick
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "phases": phases,
        "per_day_seconds": per_day,
        "rows": rows,
        "mart_rows": marts,
        "rss_before": rss_before,
        "peak_rss": peak_rss(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--start", type=date.fromisoformat, required=True)
    parser.add_argument("--end", type=date.fromisoformat)
    parser.add_argument("--pii-key", default="dev-only-pii-key-not-secret")
    parser.add_argument("--result", type=Path, help="write the JSON here (default: stdout)")
    args = parser.parse_args()
    report = run(args.landing, args.root, args.start, args.end or args.start, args.pii_key)
    text = json.dumps(report, indent=2)
    if args.result:
        args.result.write_text(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
