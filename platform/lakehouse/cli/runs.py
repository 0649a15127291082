"""Commands that run the pipelines: headless materialisation and daemon backfills."""

import argparse
import os
import sys
from typing import TYPE_CHECKING

from lakehouse.cli.arguments import INSTANCE_HELP, date_argument, positive
from lakehouse.settings import load_settings

if TYPE_CHECKING:
    import dagster as dg

    from lakehouse.settings import Settings


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
            by_range=args.by_range,
        )
    except Stopped as stopped:
        print(f"stopped by {stopped}: the run is canceled; tables keep their last commit")
        # Exit now: a dbt build the canceled step started runs on a thread of this process
        # and is abandoned, as a kill would (a mart is published by one atomic commit).
        sys.stdout.flush()
        os._exit(128 + stopped.signum)
    if args.select and not failed:
        failed = _materialize_ml(defs, settings, args)
    return 1 if failed else 0


def _materialize_ml(
    defs: "dg.Definitions", settings: "Settings", args: argparse.Namespace
) -> list[str]:
    """The ML assets of ``--select`` (no daily or gold job holds them), after the layers."""
    from lakehouse.ml.headless import materialize_ml, ml_keys
    from lakehouse.operations.headless import landed_days
    from lakehouse.operations.instance import open_instance
    from lakehouse.operations.selection import select_assets

    keys = ml_keys(defs, select_assets(defs, args.select))
    if not keys:
        return []
    days = [
        d
        for d in landed_days(settings.landing, settings.storage_options)
        if (args.start is None or d >= args.start) and (args.end is None or d <= args.end)
    ]
    return materialize_ml(defs, open_instance(settings, args.instance), keys, days)


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


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add this module's subcommands to the ``lakehouse`` parser."""
    mat = sub.add_parser("materialize", help="materialise every asset for landed days, headless")
    mat.add_argument("--start", type=date_argument, help="first day (default: first landed day)")
    mat.add_argument("--end", type=date_argument, help="last day (default: last landed day)")
    mat.add_argument(
        "--select",
        help="asset selection, e.g. 'group:silver' (default: every layer); the ML assets "
        "('group:ml', 'ml/churn_model') run only when selected, after the layers",
    )
    mat.add_argument(
        "--by-range",
        action="store_true",
        help="run consecutive days together, up to 31 per run: one write per table per range "
        "(faster backfills; a day failing a blocking check blocks its range)",
    )
    mat.add_argument(
        "--slot-timeout",
        type=positive,
        default=600,
        metavar="SECONDS",
        help="give up a run that waits this long for a concurrency slot (600)",
    )
    mat.add_argument(
        "--stale-after",
        type=positive,
        default=3600,
        metavar="SECONDS",
        help="presume a run of another host dead after this long without events (3600)",
    )
    mat.add_argument("--instance", metavar="DIR", help=INSTANCE_HELP)
    mat.set_defaults(func=_cmd_materialize)

    bf = sub.add_parser("backfill", help="submit a Dagster backfill of days to the daemon")
    bf.add_argument("selection", help="asset selection, e.g. 'group:silver', 'key:bronze/orders+'")
    bf.add_argument("--start", type=date_argument, required=True, help="first day")
    bf.add_argument("--end", type=date_argument, required=True, help="last day (inclusive)")
    bf.add_argument("--no-wait", action="store_true", help="submit and return; no progress bar")
    bf.add_argument("--instance", metavar="DIR", help=INSTANCE_HELP)
    bf.set_defaults(func=_cmd_backfill)
