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
