"""The ``lakehouse`` command: generate landing data, materialise, and query the lakehouse."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lakehouse.cli import branches, data, health, model, runs, tables
from lakehouse.settings import SettingsError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``lakehouse`` command."""
    parser = argparse.ArgumentParser(prog="lakehouse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (data, runs, tables, health, branches, model):
        module.register(sub)
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
