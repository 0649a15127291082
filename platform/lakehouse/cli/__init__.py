"""The ``lakehouse`` command: generate landing data, materialise, and query the lakehouse."""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

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


def run() -> NoReturn:
    """The ``lakehouse`` console script: :func:`main`, then exit without interpreter teardown.

    Native libraries (DuckDB, Arrow, scikit-learn's OpenMP runtime) can abort the process while
    the interpreter tears their thread pools down ("terminate called without an active
    exception", exit 134), turning a finished command into a crash. Everything a command writes
    is committed before :func:`main` returns, so Python's exit handlers run, output is flushed
    and the process exits at once with the command's code.
    """
    try:
        code = main()
    except SystemExit as exit_:
        if isinstance(exit_.code, str):
            print(exit_.code, file=sys.stderr)
        code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    # Python's exit handlers still run (logging, multiprocessing's semaphores, which its
    # resource tracker would otherwise report as leaked); only native teardown is skipped.
    atexit._run_exitfuncs()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
