"""Commands on data: generate landing files, query the lakehouse, list its tables."""

import argparse
import sys
from datetime import date, timedelta

from lakehouse.cli.arguments import date_argument, positive
from lakehouse.settings import load_settings


def _cmd_generate(args: argparse.Namespace) -> int:
    from lakehouse.datagen import generate
    from lakehouse.datagen.behaviour import BehaviourShift

    settings = load_settings()
    shift = BehaviourShift.parse(args.shift) if args.shift else None
    start = args.start or date.today() - timedelta(days=args.days)
    report = generate(
        args.out or settings.landing,
        start,
        args.days,
        args.rows_per_day,
        faults=args.fault,
        seed=args.seed,
        storage_options=settings.storage_options,
        shift=shift,
    )
    for source, rows in sorted(report.rows_by_source().items()):
        print(f"{source:<12} {rows:>10} rows")
    print(f"{len(report.files)} files for {start} .. {start + timedelta(days=args.days - 1)}")
    return 0


def _cmd_sql(args: argparse.Namespace) -> int:
    import duckdb
    from deltalake.exceptions import DeltaError

    from lakehouse.lake.catalog import connect
    from lakehouse.lake.errors import permanent_message
    from lakehouse.lake.sandbox import EngineerAccessError, layers_for, query_error_line

    settings = load_settings()
    try:
        layers = layers_for(settings.env, engineer=args.engineer)
    except EngineerAccessError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    try:
        con, names = connect(settings.root, settings.storage_options, layers=layers)
    except (OSError, DeltaError) as exc:
        print(f"storage error: {permanent_message(exc, settings.storage_options)}", file=sys.stderr)
        return 1
    if not names:
        print(
            f"no {', '.join(layers)} tables under {settings.root}: run `make materialize` first",
            file=sys.stderr,
        )
        return 1
    try:
        relation = con.sql(args.query)
        if relation is not None:
            relation.show(max_rows=args.max_rows, max_width=10_000)
    except duckdb.Error as exc:
        print(
            query_error_line(
                exc,
                query=args.query,
                tables=names,
                engineer=args.engineer,
                storage_options=settings.storage_options,
            ),
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_tables(args: argparse.Namespace) -> int:
    from deltalake.exceptions import DeltaError

    from lakehouse.lake.catalog import discover_tables
    from lakehouse.lake.errors import permanent_message

    settings = load_settings()
    try:
        tables = discover_tables(settings.root, settings.storage_options)
    except (OSError, DeltaError) as exc:
        print(f"storage error: {permanent_message(exc, settings.storage_options)}", file=sys.stderr)
        return 1
    for name, uri in tables.items():
        print(f"{name:<28} {uri}")
    return 0


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add this module's subcommands to the ``lakehouse`` parser."""
    gen = sub.add_parser("generate", help="write synthetic landing files (deterministic per seed)")
    gen.add_argument("--start", type=date_argument, help="first day (default: DAYS days ago)")
    gen.add_argument("--days", type=positive, default=7)
    gen.add_argument("--rows-per-day", type=positive, default=1000, help="orders per day")
    gen.add_argument("--out", help="landing root URI (default: LAKEHOUSE_LANDING)")
    gen.add_argument("--fault", action="append", default=[], help="inject a named fault")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument(
        "--shift",
        metavar="DAY:COUNTRY:FACTOR",
        help="from DAY on, customers of COUNTRY order FACTOR times as often (e.g. 2026-03-01:US:0)",
    )
    gen.set_defaults(func=_cmd_generate)

    sql = sub.add_parser(
        "sql",
        help="run read-only DuckDB SQL over silver, gold and quarantine, as views layer.table",
    )
    sql.add_argument("query")
    sql.add_argument("--max-rows", type=int, default=40)
    sql.add_argument(
        "--engineer",
        action="store_true",
        help="also expose bronze (raw values, raw PII); refused outside LAKEHOUSE_ENV=dev",
    )
    sql.set_defaults(func=_cmd_sql)

    tables = sub.add_parser("tables", help="list the lakehouse's Delta tables")
    tables.set_defaults(func=_cmd_tables)
