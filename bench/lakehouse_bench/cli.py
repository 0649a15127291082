"""The ``lakehouse-bench`` command: the platform against a hand-written baseline."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from lakehouse_bench.runner import HUGE_DAY_ROWS, BenchConfig, run_bench


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return number


def parser() -> argparse.ArgumentParser:
    """The command line of ``lakehouse-bench``."""
    bench = argparse.ArgumentParser(
        prog="lakehouse-bench",
        description="Benchmark the platform against a hand-written deltalake + DuckDB baseline.",
    )
    bench.add_argument("--rows-per-day", type=_positive, default=100_000, help="orders per day")
    bench.add_argument("--days", type=_positive, default=20, help="days to backfill (at least 2)")
    bench.add_argument("--repeat", type=_positive, default=3, help="runs per measurement (3)")
    bench.add_argument(
        "--small-day-rows", type=_positive, default=1000, help="orders of the small day (1000)"
    )
    bench.add_argument(
        "--huge-day", action="store_true", help="also run one day at --huge-day-rows orders"
    )
    bench.add_argument(
        "--huge-day-rows",
        type=_positive,
        default=HUGE_DAY_ROWS,
        help="(5000000; the platform alone: ~16 GB RAM while generated, 25 GB disk)",
    )
    bench.add_argument(
        "--quick",
        action="store_true",
        help="check the harness only: skip the CLI run, dbt parse, the backfill a run per day "
        "and the re-runs (figures are not comparable)",
    )
    bench.add_argument("--out", help="report folder (default: bench/out/<timestamp>)")
    return bench


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its Markdown report."""
    args = parser().parse_args(argv)
    out = Path(args.out) if args.out else None
    config = BenchConfig(
        args.rows_per_day,
        args.days,
        args.repeat,
        out,
        small_day_rows=args.small_day_rows,
        huge_day_rows=args.huge_day_rows if args.huge_day else None,
        quick=args.quick,
    )
    report = run_bench(config)
    print((report / "results.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
