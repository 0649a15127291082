"""`lakehouse-bench` end to end at a tiny scale: it measures everything and writes its report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lakehouse_bench.cli import main

SECTIONS = (
    "## Targets",
    "## 1. Platform overhead",
    "## 2. Incremental cost",
    "## 3. Throughput",
    "## 4. Peak memory",
    "## 5. Fixed costs",
    "## Checks",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "out"
    argv = ["--rows-per-day", "50", "--days", "2", "--repeat", "1", "--out", str(out)]
    assert main(argv) == 0
    return out


def test_bench_writes_markdown_with_every_section(report: Path) -> None:
    markdown = (report / "results.md").read_text()
    assert "lakehouse-bench --rows-per-day 50 --days 2 --repeat 1" in markdown
    for section in SECTIONS:
        assert section in markdown, section
    assert "identical (one day; backfill): yes" in markdown


def test_bench_writes_json_with_machine_versions_and_every_measurement(report: Path) -> None:
    results = json.loads((report / "results.json").read_text())
    machine = results["machine"]
    assert machine["cores"] >= 1 and machine["memory_bytes"] > 0
    for package in ("dagster", "deltalake", "duckdb", "pyarrow", "dbt-core"):
        assert machine["versions"][package][0].isdigit(), package
    summary = results["summary"]
    assert set(summary["targets"]) == {"overhead", "incremental", "memory"}
    assert summary["overhead"]["in_process"]["wall"]["ours"]["n"] == 1
    assert summary["overhead"]["in_process"]["cpu"]["theirs"]["median"] > 0
    assert summary["incremental"]["platform"]["wall"]["ours"]["median"] > 0
    assert summary["throughput"]["days"] == 2
    assert summary["throughput"]["orders"] == 100
    assert summary["memory"]["platform_peak_rss"]["median"] > 0
    assert summary["memory"]["arrow_day"] > 0
    for cost in ("defs_import", "trivial_first", "dbt_version", "dbt_parse"):
        assert summary["fixed"][cost]["median"] > 0, cost
