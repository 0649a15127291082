"""Benchmarks (``lakehouse-bench``): the platform against a hand-written deltalake + DuckDB script.

``run_bench`` generates data at a given scale in a temporary folder and measures, on the same
data, the platform's overhead, the incremental cost of a partition as tables grow, backfill
throughput and peak memory, and the fixed costs; see ``bench/RESULTS.md``.
"""

from lakehouse_bench.runner import BenchConfig, run_bench

__all__ = ["BenchConfig", "run_bench"]
