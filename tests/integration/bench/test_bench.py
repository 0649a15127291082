"""`lakehouse-bench --quick` end to end at the smallest scale: every measured process kind runs
(worker day, worker range backfill, baseline, fixed costs, a day generated alone) and the
report carries every section, row and column. ``--quick`` skips only repeats of those kinds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lakehouse_bench.cli import main

COMMAND = (
    "lakehouse-bench --rows-per-day 20 --days 2 --repeat 1 --small-day-rows 20 --huge-day "
    "--huge-day-rows 30 --quick"
)
SECTIONS = (
    "## Targets",
    "## 1. Platform overhead",
    "## 2. Incremental cost",
    "## 3. Throughput",
    "## 4. Peak memory",
    "## 5. Fixed costs",
    "## 6. Small and large days",
    "## Checks",
)
ROWS = (
    "| platform / baseline, one day, excluding start-up | ≤ 1.5 |",
    "| day N / day 1 (one day's run, tables holding N days vs 1) | ≤ 1.1 |",
    "| peak working set / Arrow size of the day | ≤ 2.0 |",
    "| one day, 20 orders, bronze → gold, all sources, excl. process start-up (s) | ≤ 5.0 |",
    "| 2-day backfill, 20 orders/day, platform/baseline (range path) | ≤ 1.2 |",
    "| wall, excluding process start-up |",
    "| CPU (process + children), excluding start-up |",
    "| bronze |",
    "| wall minus summed step times (Dagster between steps; negative: steps ran at once) |",
    "| platform (`daily_lakehouse`), wall |",
    "| time, excluding process start-up |",
    "| rows/s, all sources (excl. / incl. start-up) |",
    "| daily marts, one run over the range |",
    "| platform run (worker process) |",
    "| `dbt --version` |",
    "| one day, 20 orders, bronze → gold, all sources, excl. process start-up |",
    "| one day, 30 orders: peak resident set of the run's process (GB, 10^9 bytes) | ≤ 6.0 |",
    "| one day, 30 orders, bronze → gold, all sources, excl. process start-up | ",
)
HEADERS = (
    "| target | limit | measured | met |",
    "| backfill | platform, a run per day | platform, by range | baseline |",
    "| day generated alone | platform | baseline | ratio | bronze / silver / gold | platform "
    "peak RSS |",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "out"
    assert main([*COMMAND.split()[1:], "--out", str(out)]) == 0
    return out


def test_bench_writes_markdown_with_every_section_row_and_column(report: Path) -> None:
    markdown = (report / "results.md").read_text()
    assert COMMAND in markdown
    for line in (*SECTIONS, *HEADERS, *ROWS):
        assert line in markdown, line
    assert "identical (one day; backfill): yes" in markdown
    assert "Processes that aborted at exit (exit 134): none" in markdown


def test_bench_writes_json_with_machine_versions_and_every_measurement(report: Path) -> None:
    results = json.loads((report / "results.json").read_text())
    machine = results["machine"]
    assert machine["cores"] >= 1 and machine["memory_bytes"] > 0
    for package in ("dagster", "deltalake", "duckdb", "pyarrow", "dbt-core"):
        assert machine["versions"][package][0].isdigit(), package
    summary = results["summary"]
    targets = {"overhead", "incremental", "memory", "small_day", "range_backfill", "huge_day"}
    assert set(summary["targets"]) == targets
    assert all(summary["targets"][t]["measured"] > 0 for t in targets)
    assert summary["overhead"]["in_process"]["wall"]["ours"]["n"] == 1
    assert summary["overhead"]["in_process"]["cpu"]["theirs"]["median"] > 0
    assert summary["overhead"]["platform_layers"]["gold"]["median"] > 0
    throughput = summary["throughput"]
    assert throughput["days"] == 2 and throughput["orders"] == 40
    assert throughput["per_day"] is None  # --quick
    assert throughput["by_range"]["runs"] == 1 and throughput["by_range"]["gold_run"] > 0
    assert summary["memory"]["platform_peak_rss"]["median"] > 0
    assert summary["memory"]["arrow_day"] > 0
    assert summary["small_day"]["rows_per_day"] == 20
    assert summary["small_day"]["platform_layers"]["silver"]["median"] > 0
    huge = summary["huge_day"]  # the platform alone: the baseline would not fit at 5 M
    assert huge["rows_per_day"] == 30 and huge["compare"] is None
    assert huge["platform_peak_rss"]["median"] > 0
    assert "| not run (holds whole tables in Arrow) | — |" in (report / "results.md").read_text()
    for cost in ("defs_import", "trivial_first", "dbt_version"):
        assert summary["fixed"][cost]["median"] > 0, cost
