"""The ``lakehouse`` command: generate landing data, materialise, and query the lakehouse."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date, timedelta

from lakehouse.settings import SettingsError, load_settings


def _date(value: str) -> date:
    try:
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD") from None


INSTANCE_HELP = (
    "Dagster instance folder to record runs in (default: DAGSTER_HOME, else the checkout's "
    ".dagster for the default root, else <LAKEHOUSE_ROOT>/.dagster)"
)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return number


def _cmd_generate(args: argparse.Namespace) -> int:
    from lakehouse.datagen import generate

    settings = load_settings()
    start = args.start or date.today() - timedelta(days=args.days)
    report = generate(
        args.out or settings.landing,
        start,
        args.days,
        args.rows_per_day,
        faults=args.fault,
        seed=args.seed,
        storage_options=settings.storage_options,
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


def _cmd_materialize(args: argparse.Namespace) -> int:
    from lakehouse.definitions import build_definitions
    from lakehouse.operations.headless import materialize_days
    from lakehouse.operations.signals import Stopped

    settings = load_settings()
    defs = build_definitions(settings)
    try:
        failed = materialize_days(
            defs,
            settings,
            args.start,
            args.end,
            selection=args.select,
            slot_timeout_seconds=args.slot_timeout,
            stale_after_seconds=args.stale_after,
            instance_home=args.instance,
        )
    except Stopped as stopped:
        print(f"stopped by {stopped}: the run is canceled; tables keep their last commit")
        return 128 + stopped.signum
    return 1 if failed else 0


def _cmd_history(args: argparse.Namespace) -> int:
    from lakehouse.lake import DeltaStore, TableNotFoundError
    from lakehouse.operations.history import format_history, table_history

    settings = load_settings()
    store = DeltaStore(settings.root, settings.storage_options)
    try:
        print(format_history(table_history(store, args.table, args.limit)))
    except TableNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _cmd_rollback(args: argparse.Namespace) -> int:
    from lakehouse.lake import DeltaStore, TableNotFoundError
    from lakehouse.operations.rollback import rollback

    settings = load_settings()
    store = DeltaStore(settings.root, settings.storage_options)
    try:
        result = rollback(
            store,
            args.table,
            version=args.to_version,
            timestamp=args.to_timestamp,
            reason=args.reason,
            user=settings.user,
        )
    except TableNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"restored {result.table} to version {result.restored_version} "
        f"(was {result.previous_version}); new version {result.version} records the reason"
    )
    return 0


def _cmd_contracts_diff(args: argparse.Namespace) -> int:
    from pathlib import Path

    from lakehouse.contracts.revisions import compare_revisions
    from lakehouse.settings import project_dir

    report = compare_revisions(
        Path(args.repo) if args.repo else project_dir(), args.base, args.head
    )
    print(report.render())
    return 1 if report.breaking else 0


def _cmd_backfill(args: argparse.Namespace) -> int:
    from lakehouse.definitions import build_definitions
    from lakehouse.operations.backfill import backfill_command
    from lakehouse.operations.instance import open_instance

    settings = load_settings()
    return backfill_command(
        build_definitions(settings),
        settings.operations.dagster_url,
        args.selection,
        args.start,
        args.end,
        wait=not args.no_wait,
        instance=open_instance(settings, args.instance),
    )


def _cmd_metrics_serve(args: argparse.Namespace) -> int:
    from lakehouse.lake import DeltaReader
    from lakehouse.observability.exporter import serve

    settings = load_settings()
    print(f"serving the ops metrics of {settings.root} at http://{args.host}:{args.port}/metrics")
    try:
        serve(DeltaReader(settings.root, settings.storage_options), args.port, args.host,
              args.window_days)
    except KeyboardInterrupt:
        return 0
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from lakehouse.lake import DeltaReader
    from lakehouse.observability.report import write_report

    settings = load_settings()
    reader = DeltaReader(settings.root, settings.storage_options)
    page = write_report(reader, Path(args.out), settings.operations.dagster_url)
    print(f"wrote {page}")
    return 0


def _cmd_demo_history(args: argparse.Namespace) -> int:
    import dagster as dg
    from dagster._core.errors import DagsterHomeNotSetError

    from lakehouse.definitions import build_definitions
    from lakehouse.observability.defs import OPS_JOB
    from lakehouse.observability.demo import write_demo_history

    settings = load_settings()
    start = args.start or date.today() - timedelta(days=args.days + 1)
    try:
        instance = dg.DagsterInstance.get()
    except DagsterHomeNotSetError:
        print("error: DAGSTER_HOME is unset: point it at the instance to fill", file=sys.stderr)
        return 2
    history = write_demo_history(instance, start, args.days)
    print(f"wrote {len(history.run_ids)} runs for {start} .. {start + timedelta(args.days - 1)}")
    if not args.no_ops:
        job = build_definitions(settings).resolve_job_def(OPS_JOB)
        ok = job.execute_in_process(instance=instance).success
        print(f"ops tables under {settings.root}/ops: {'written' if ok else 'FAILED'}")
        return 0 if ok else 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``lakehouse`` command."""
    parser = argparse.ArgumentParser(prog="lakehouse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write synthetic landing files (deterministic per seed)")
    gen.add_argument("--start", type=_date, help="first day (default: DAYS days ago)")
    gen.add_argument("--days", type=_positive, default=7)
    gen.add_argument("--rows-per-day", type=_positive, default=1000, help="orders per day")
    gen.add_argument("--out", help="landing root URI (default: LAKEHOUSE_LANDING)")
    gen.add_argument("--fault", action="append", default=[], help="inject a named fault")
    gen.add_argument("--seed", type=int, default=42)
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

    mat = sub.add_parser("materialize", help="materialise every asset for landed days, headless")
    mat.add_argument("--start", type=_date, help="first day (default: first landed day)")
    mat.add_argument("--end", type=_date, help="last day (default: last landed day)")
    mat.add_argument("--select", help="asset selection, e.g. 'group:silver' (default: all)")
    mat.add_argument(
        "--slot-timeout",
        type=_positive,
        default=600,
        metavar="SECONDS",
        help="give up a run that waits this long for a concurrency slot (600)",
    )
    mat.add_argument(
        "--stale-after",
        type=_positive,
        default=3600,
        metavar="SECONDS",
        help="presume a run of another host dead after this long without events (3600)",
    )
    mat.add_argument("--instance", metavar="DIR", help=INSTANCE_HELP)
    mat.set_defaults(func=_cmd_materialize)

    bf = sub.add_parser("backfill", help="submit a Dagster backfill of days to the daemon")
    bf.add_argument("selection", help="asset selection, e.g. 'group:silver', 'key:bronze/orders+'")
    bf.add_argument("--start", type=_date, required=True, help="first day")
    bf.add_argument("--end", type=_date, required=True, help="last day (inclusive)")
    bf.add_argument("--no-wait", action="store_true", help="submit and return; no progress bar")
    bf.add_argument("--instance", metavar="DIR", help=INSTANCE_HELP)
    bf.set_defaults(func=_cmd_backfill)

    hist = sub.add_parser("history", help="a table's Delta commits: versions, rows, user, reason")
    hist.add_argument("table", help="layer/table, e.g. silver/orders")
    hist.add_argument("--limit", type=_positive, default=20, help="newest N commits (20)")
    hist.set_defaults(func=_cmd_history)

    rb = sub.add_parser("rollback", help="restore a table to an earlier version, with a reason")
    rb.add_argument("table", help="layer/table, e.g. silver/orders")
    target = rb.add_mutually_exclusive_group(required=True)
    target.add_argument("--to-version", type=int, help="Delta version (see `lakehouse history`)")
    target.add_argument("--to-timestamp", help="last version at or before this ISO time (UTC)")
    rb.add_argument("--reason", required=True, help="why; kept in the table history")
    rb.set_defaults(func=_cmd_rollback)

    contracts = sub.add_parser("contracts", help="data contracts").add_subparsers(
        dest="contracts_command", required=True
    )
    cdiff = contracts.add_parser(
        "diff", help="compare contracts with a git revision; exit 1 on breaking changes"
    )
    cdiff.add_argument(
        "--base", nargs="+", required=True, metavar="REF", help="first existing REF is the base"
    )
    cdiff.add_argument("--head", metavar="REF", help="compare with REF (default: working tree)")
    cdiff.add_argument("--repo", help="repository root (default: this checkout)")
    cdiff.set_defaults(func=_cmd_contracts_diff)
    metrics = sub.add_parser("metrics", help="platform health metrics").add_subparsers(
        dest="metrics_command", required=True
    )
    mserve = metrics.add_parser("serve", help="serve the ops tables as Prometheus metrics")
    mserve.add_argument("--port", type=_positive, default=9464)
    mserve.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    mserve.add_argument("--window-days", type=_positive, default=30, help="DORA/cost window")
    mserve.set_defaults(func=_cmd_metrics_serve)

    rep = sub.add_parser("report", help="write the platform health report (self-contained HTML)")
    rep.add_argument("--out", required=True, help="directory for index.html")
    rep.set_defaults(func=_cmd_report)

    demo = sub.add_parser(
        "demo-history", help="write weeks of demo run history into $DAGSTER_HOME's instance"
    )
    demo.add_argument("--start", type=_date, help="first partition (default: DAYS+1 days ago)")
    demo.add_argument("--days", type=_positive, default=21, help="run days, at least 19 (21)")
    demo.add_argument("--no-ops", action="store_true", help="do not materialise the ops tables")
    demo.set_defaults(func=_cmd_demo_history)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lakehouse`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
