"""Commands on tables and declarations: Delta history, rollback, contracts diff, sources check."""

import argparse
import sys

from lakehouse.cli.arguments import positive
from lakehouse.settings import load_settings


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


def _cmd_sources_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from lakehouse.sources.check import check_sources

    valid, errors = check_sources([Path(f) for f in args.files])
    for line in valid:
        print(line)
    for line in errors:
        print(line, file=sys.stderr)
    return 1 if errors else 0


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add this module's subcommands to the ``lakehouse`` parser."""
    hist = sub.add_parser("history", help="a table's Delta commits: versions, rows, user, reason")
    hist.add_argument("table", help="layer/table, e.g. silver/orders")
    hist.add_argument("--limit", type=positive, default=20, help="newest N commits (20)")
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

    sources = sub.add_parser("sources", help="source declarations").add_subparsers(
        dest="sources_command", required=True
    )
    scheck = sources.add_parser(
        "check", help="validate declarations (file:line: field: reason); exit 1 on errors"
    )
    scheck.add_argument("files", nargs="*", help="YAML files (default: every declared source)")
    scheck.set_defaults(func=_cmd_sources_check)
