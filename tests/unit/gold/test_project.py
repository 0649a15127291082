"""The Dagster-facing helpers: project location, env, vars, and the late-row window."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from lakehouse.gold.project import (
    DBT_PROJECT_DIR,
    dbt_env,
    dbt_vars,
    rebuild_window,
    touched_order_dates,
)
from lakehouse.gold.run_context import (
    RUN_CONTEXT_FILE,
    RunContext,
    RunContextError,
    resolve_run_context,
)
from lakehouse.gold.window import DateWindow
from lakehouse.settings import load_settings

D1, D2, D3 = dt.date(2026, 1, 5), dt.date(2026, 1, 6), dt.date(2026, 1, 7)


def test_the_project_and_its_profile_are_found() -> None:
    assert (DBT_PROJECT_DIR / "dbt_project.yml").is_file()
    assert (DBT_PROJECT_DIR / "profiles.yml").is_file()


def test_vars_for_a_window_and_a_recency_day() -> None:
    assert dbt_vars() == {}
    assert dbt_vars(window=DateWindow(D1, D2), as_of=D3) == {
        "min_date": "2026-01-05",
        "max_date": "2026-01-06",
        "as_of": "2026-01-07",
    }
    assert dbt_vars("/lake", window=DateWindow(D1, D1)) == {
        "lakehouse_root": "/lake",
        "min_date": "2026-01-05",
        "max_date": "2026-01-05",
    }
    with pytest.raises(TypeError, match=r"datetime\.date"):
        dbt_vars(as_of="2026-01-07")  # type: ignore[arg-type]


def test_the_run_context_file_wins_over_the_vars_and_round_trips(tmp_path: Path) -> None:
    context = RunContext("/lake/_branches/b1", DateWindow(D1, D2))
    path = context.write(tmp_path / "target")
    assert path.name == RUN_CONTEXT_FILE
    assert json.loads(path.read_text()) == {
        "root": "/lake/_branches/b1",
        "min_date": "2026-01-05",
        "max_date": "2026-01-06",
    }
    assert resolve_run_context(str(path), "/other", None, None) == context
    by_hand = resolve_run_context(str(tmp_path / "none.json"), "/lake/", "2026-01-07", "2026-01-07")
    assert by_hand == RunContext("/lake", DateWindow(D3, D3))
    with pytest.raises(RunContextError, match="LAKEHOUSE_ROOT is not set"):
        resolve_run_context(None, " ", None, None)


def test_env_carries_the_root_and_storage_options(tmp_path: Path) -> None:
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(tmp_path), "AWS_REGION": "eu-west-1", "LAKEHOUSE_USER": "t"}
    )
    env = dbt_env(settings)
    assert env["LAKEHOUSE_ROOT"] == str(tmp_path)
    assert env["DBT_PROFILES_DIR"] == str(DBT_PROJECT_DIR)
    assert env["AWS_REGION"] == "eu-west-1"


@pytest.fixture
def silver(tmp_path: Path) -> str:
    """Orders landed on D2 and D3; O3 (placed D1) lands late on D3; O1 gets a line on D3."""
    orders = pa.table(
        {
            "order_id": ["O1", "O2", "O3"],
            "order_date": pa.array([D1, D2, D1], pa.date32()),
            "_landing_date": pa.array([D1, D2, D3], pa.date32()),
        }
    )
    lines = pa.table(
        {
            "order_id": ["O1", "O2", "O1"],
            "_landing_date": pa.array([D1, D2, D3], pa.date32()),
        }
    )
    for name, table in (("orders", orders), ("order_items", lines)):
        write_deltalake(str(tmp_path / "silver" / name), table, partition_by=["_landing_date"])
    return str(tmp_path)


def test_late_rows_widen_the_rebuild_window(silver: str) -> None:
    assert touched_order_dates(silver, DateWindow(D2, D2)) == [D2]
    assert touched_order_dates(silver, DateWindow(D3, D3)) == [D1]
    assert rebuild_window(silver, DateWindow(D2, D3)) == DateWindow(D1, D2)
    assert rebuild_window(silver, DateWindow(D3 + dt.timedelta(1), D3 + dt.timedelta(2))) is None
