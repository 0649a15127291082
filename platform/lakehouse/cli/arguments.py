"""Argument types shared by the subcommands: strict dates, positive numbers."""

import argparse
from datetime import date

INSTANCE_HELP = (
    "Dagster instance folder to record runs in (default: DAGSTER_HOME, else the checkout's "
    ".dagster for the default root, else <LAKEHOUSE_ROOT>/.dagster)"
)


def date_argument(value: str) -> date:
    """A strict YYYY-MM-DD date (``20261124`` and ``2026-1-5`` are refused)."""
    try:
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD") from None


def positive(value: str) -> int:
    """A whole number of at least 1."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return number
