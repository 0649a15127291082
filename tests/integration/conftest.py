"""Fixtures: a generated landing zone and the definitions pointed at a lakehouse in tmp_path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from lakehouse.datagen import generate
from lakehouse.definitions import build_definitions
from lakehouse.settings import Settings, load_settings

START = date(2026, 1, 1)
DAYS = (date(2026, 1, 1), date(2026, 1, 2))


@dataclass(frozen=True)
class Lakehouse:
    """A generated landing zone, settings pointing at it, and definitions built from them."""

    settings: Settings
    defs: dg.Definitions
    instance: dg.DagsterInstance

    def materialize(
        self, day: date, selection: list[str] | None = None
    ) -> dg.ExecuteInProcessResult:
        """Run the daily job for ``day`` in process; raise on failure."""
        job = self.defs.resolve_job_def("daily_lakehouse")
        keys = [dg.AssetKey.from_user_string(s) for s in selection] if selection else None
        return job.execute_in_process(
            partition_key=day.isoformat(), instance=self.instance, asset_selection=keys
        )


def make_lakehouse(
    tmp_path: Path, rows_per_day: int = 60, faults: tuple[str, ...] = ()
) -> Lakehouse:
    """Generate two landing days and build definitions rooted in ``tmp_path``."""
    landing = tmp_path / "landing"
    generate(str(landing), START, len(DAYS), rows_per_day, faults=faults, seed=7)
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "LAKEHOUSE_LANDING": str(landing)}
    )
    return Lakehouse(settings, build_definitions(settings), dg.DagsterInstance.ephemeral())


@pytest.fixture
def lakehouse(tmp_path: Path) -> Lakehouse:
    return make_lakehouse(tmp_path)


# How `make test` (pytest -n 2 --dist loadfile --no-loadscope-reorder) spreads the session:
# each file is one unit of work, sent whole to one worker, and the units are handed out in
# the order of the items. Longest first: the files below, then every other file in collection
# order, so the last units to finish are short ones and no worker idles while the other still
# runs a long file. (xdist's own order is by number of tests, which puts many long one-test
# files last.) This hook sees every item of the session, not only this folder's.
LONGEST_FIRST = (
    # Seconds in CI (2 workers on 2 cores), roughly; only the order matters.
    "tests/readme/test_readme_blocks.py",  # 350
    # The first two units go one to each worker, and a worker with at most 2 tests pending
    # takes the next unit at once (the readme's 4 keep its worker from it). So the worker of
    # test_webserver.py (2 tests) also runs test_ui_browser.py, and the session's webserver
    # (tests/e2e/conftest.py) is built once, not once per worker.
    "tests/e2e/test_webserver.py",  # 45 (the webserver), 1 more
    "tests/e2e/test_ui_browser.py",  # 140
    "tests/integration/security/test_pii_scan.py",  # 140
    "tests/integration/s3/test_pipeline_on_s3.py",  # 115
    "tests/integration/test_ranges.py",  # 110
    "tests/integration/bench/test_bench.py",  # 100
    "tests/integration/postgres/test_dagster_on_postgres.py",  # 90
    "tests/integration/branches/test_branch_flow.py",  # 75
    "tests/e2e/test_make_run_stops.py",  # 60
    "tests/integration/silver/test_fact_versions.py",  # 50
    "tests/integration/branches/test_branch_gold.py",  # 40
    "tests/e2e/test_dg_check.py",  # 40
    "tests/integration/operations/test_conditions.py",  # 30
    "tests/integration/operations/test_maintenance.py",  # 30
    "tests/integration/ml/test_lifecycle.py",  # 30
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    known = {path: rank for rank, path in enumerate(LONGEST_FIRST)}

    def rank(index: int) -> int:
        return known.get(items[index].nodeid.split("::", 1)[0], len(known))

    order = sorted(range(len(items)), key=rank)  # stable: the rest keep collection order
    items[:] = [items[i] for i in order]
