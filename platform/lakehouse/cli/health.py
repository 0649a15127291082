"""Commands on the platform's own health: Prometheus metrics, HTML report, demo history."""

import argparse

from lakehouse.cli.arguments import date_argument, positive
from lakehouse.settings import load_settings


def _cmd_metrics_serve(args: argparse.Namespace) -> int:
    from lakehouse.observability.commands import metrics_serve

    return metrics_serve(load_settings(), args.port, args.host, args.window_days)


def _cmd_report(args: argparse.Namespace) -> int:
    from lakehouse.observability.commands import report

    return report(load_settings(), args.out)


def _cmd_demo_history(args: argparse.Namespace) -> int:
    from lakehouse.definitions import build_definitions
    from lakehouse.observability.commands import demo_history

    settings = load_settings()
    return demo_history(settings, build_definitions, args.start, args.days, not args.no_ops)


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add this module's subcommands to the ``lakehouse`` parser."""
    metrics = sub.add_parser("metrics", help="platform health metrics").add_subparsers(
        dest="metrics_command", required=True
    )
    mserve = metrics.add_parser("serve", help="serve the ops tables as Prometheus metrics")
    mserve.add_argument("--port", type=positive, default=9464)
    mserve.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    mserve.add_argument("--window-days", type=positive, default=30, help="DORA/cost window")
    mserve.set_defaults(func=_cmd_metrics_serve)

    rep = sub.add_parser("report", help="write the platform health report (self-contained HTML)")
    rep.add_argument("--out", required=True, help="directory for index.html")
    rep.set_defaults(func=_cmd_report)

    demo = sub.add_parser(
        "demo-history", help="write weeks of demo run history into $DAGSTER_HOME's instance"
    )
    demo.add_argument(
        "--start", type=date_argument, help="first partition (default: DAYS+1 days ago)"
    )
    demo.add_argument("--days", type=positive, default=21, help="run days, at least 19 (21)")
    demo.add_argument("--no-ops", action="store_true", help="do not materialise the ops tables")
    demo.set_defaults(func=_cmd_demo_history)
