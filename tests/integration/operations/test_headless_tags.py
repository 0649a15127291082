"""``lakehouse materialize`` tags a run of the whole daily job, so automation does not build
again what the run built (``WHOLE_DAY_RUN_TAGS``); a run of some assets is not tagged."""

from pathlib import Path

import dagster as dg

from lakehouse.datagen import generate
from lakehouse.definitions import build_definitions
from lakehouse.operations.headless import materialize_days
from lakehouse.operations.jobs import DAILY_JOB
from lakehouse.policy.conditions import WHOLE_DAY_RUN_TAGS

from .conftest import days_ago, lakehouse_settings


def test_only_a_run_of_the_whole_daily_job_carries_the_whole_day_tags(tmp_path: Path) -> None:
    settings = lakehouse_settings(tmp_path)
    day = days_ago(2)
    generate(settings.landing, day, 1, 20, seed=7)
    defs = build_definitions(settings)
    home = str(tmp_path / "dagster")
    assert materialize_days(defs, settings, day, day, "bronze/orders", instance_home=home) == []
    assert materialize_days(defs, settings, day, day, instance_home=home) == []
    with dg.DagsterInstance.from_config(home) as instance:
        runs = instance.get_runs(dg.RunsFilter(job_name=DAILY_JOB))
    # Keyed by "the run selected some assets": the bronze/orders run, then the whole job.
    scope = {bool(run.asset_selection): run.tags.get("lakehouse/run_scope") for run in runs}
    assert scope == {True: None, False: WHOLE_DAY_RUN_TAGS["lakehouse/run_scope"]}
