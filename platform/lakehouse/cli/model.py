"""``lakehouse model status|promote|rollback``: the churn model's registry, for people."""

import argparse
import sys
from typing import TYPE_CHECKING

from lakehouse.settings import load_settings

if TYPE_CHECKING:
    from lakehouse.lake import DeltaStore
    from lakehouse.ml.registry import Registry


def _context() -> "tuple[DeltaStore, Registry, str]":
    from lakehouse.lake import DeltaStore
    from lakehouse.ml.registry import Registry
    from lakehouse.ml.resource import MlflowResource

    settings = load_settings()
    if settings.mlflow is None:
        MlflowResource(tracking_uri="", artifact_location="").registry()  # raises, saying why
    assert settings.mlflow is not None
    registry = Registry(settings.mlflow.tracking_uri, settings.mlflow.artifact_location)
    return DeltaStore(settings.root, settings.storage_options), registry, settings.user


def _cmd_status(args: argparse.Namespace) -> int:
    from lakehouse.ml.audit import events
    from lakehouse.ml.lifecycle import STATUS

    store, registry, _ = _context()
    versions = registry.versions()
    if not versions:
        print("no model version registered yet: materialise ml/churn_model")
        return 0
    print(f"{'version':>7}  {'status':<11} {'aliases':<20} {'roc_auc':>7}  trained on")
    for v in versions:
        auc = v.metrics.get("roc_auc", float("nan"))
        days = v.params.get("train_days", "").split(",")
        span = f"{days[0]} .. {days[-1]}" if days and days[0] else "-"
        aliases = ",".join(v.aliases) or "-"
        print(f"{v.version:>7}  {v.tags.get(STATUS, '-'):<11} {aliases:<20} {auc:>7.4f}  {span}")
    table = events(store)
    if table.num_rows:
        print("\nrecent decisions:")
        for row in table.to_pylist()[-args.events :]:
            print(
                f"  {row['at']:%Y-%m-%d %H:%M} v{row['version']} {row['action']} by "
                f"{row['actor']}: {row['reason']}"
            )
    return 0


def _cmd_promote(args: argparse.Namespace) -> int:
    from lakehouse.ml.lifecycle import LifecycleError, promote

    store, registry, user = _context()
    try:
        promote(registry, store, str(args.version), user, args.reason)
    except LifecycleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"v{args.version} is now the champion")
    return 0


def _cmd_rollback(args: argparse.Namespace) -> int:
    from lakehouse.ml.lifecycle import LifecycleError, rollback

    store, registry, user = _context()
    try:
        target = rollback(registry, store, user, args.reason)
    except LifecycleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"rolled back: v{target} is the champion again")
    return 0


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``model`` and its subcommands to the ``lakehouse`` parser."""
    model = sub.add_parser("model", help="the churn model: status, promote, rollback")
    commands = model.add_subparsers(dest="model_command", required=True)
    status = commands.add_parser("status", help="versions, aliases, metrics and decisions")
    status.add_argument("--events", type=int, default=10, help="decisions to show (10)")
    status.set_defaults(func=_cmd_status)
    promote = commands.add_parser("promote", help="make a version the champion")
    promote.add_argument("version", type=int)
    promote.add_argument("--reason", default="promoted by hand")
    promote.set_defaults(func=_cmd_promote)
    rollback = commands.add_parser("rollback", help="make the previous champion champion again")
    rollback.add_argument("--reason", default="rolled back by hand")
    rollback.set_defaults(func=_cmd_rollback)
