"""The benchmark worker's ``steps`` task (a profiling aid): every bronze and silver table of a
day in a run of its own, then the daily marts, each with its time and peak memory."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from lakehouse.datagen import generate
from lakehouse.sources import load_sources
from lakehouse_bench.runner import _environment

DAY = date(2026, 1, 1)


def test_steps_measures_a_run_per_table_then_the_marts(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate(str(landing), DAY, 1, 20)
    env = _environment(tmp_path / "work", landing, DAY) | {"LAKEHOUSE_ROOT": str(tmp_path / "lake")}
    result = tmp_path / "steps.json"
    command = ["-m", "lakehouse_bench.worker", "steps", "--day", DAY.isoformat()]
    subprocess.run(
        [sys.executable, *command, "--result", str(result)], env=env, check=True, timeout=600
    )
    steps = json.loads(result.read_text())["steps"]
    tables = [f"{layer}/{s.name}" for layer in ("bronze", "silver") for s in load_sources()]
    assert list(steps) == [*sorted(tables), "gold (daily marts)"]
    for name, run in steps.items():
        assert run["success"], (name, run["errors"])
        assert run["peak_rss"] >= run["rss_before"] > 0, name
        assert run["seconds"] > 0, name
