"""dbt in the step's process: the JSON lines, exit codes and interface dagster-dbt reads."""

import json
from pathlib import Path

from lakehouse.gold.dbt_in_process import EXIT_ERROR, EXIT_SUCCESS, InProcessDbt
from lakehouse.gold.dbt_resource import LakehouseDbtCliResource
from lakehouse.gold.invoke import DBT_EXECUTABLE
from lakehouse.gold.project import DBT_PROJECT_DIR


def _project_args(target: Path) -> list[str]:
    return [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target),
        "--quiet",
    ]


def test_a_command_streams_dbt_json_lines_in_this_process(tmp_path: Path) -> None:
    dbt = InProcessDbt([DBT_EXECUTABLE, "ls", "--resource-type", "model", *_project_args(tmp_path)])
    events = [json.loads(line) for line in dbt.stdout]

    assert dbt.wait(timeout=120) == EXIT_SUCCESS
    names = {e["info"]["name"] for e in events}
    assert "MainReportVersion" in names
    assert all(e["info"]["level"] in ("info", "warn", "error") for e in events)
    listed = [e["info"]["msg"] for e in events if e["info"]["name"] == "PrintEvent"]
    assert "lakehouse.marts.orders_daily" in listed
    assert dbt.stdout.closed


def test_a_dbt_error_is_exit_2_with_an_error_line(tmp_path: Path) -> None:
    dbt = InProcessDbt([DBT_EXECUTABLE, "ls", "--no-such-flag", *_project_args(tmp_path)])
    lines = [json.loads(line) for line in dbt.stdout]

    assert dbt.wait(timeout=120) == EXIT_ERROR
    errors = [line["info"]["msg"] for line in lines if line["info"]["level"] == "error"]
    assert errors and "--no-such-flag" in errors[0]


def test_an_interrupted_step_stops_waiting_for_dbt(tmp_path: Path) -> None:
    dbt = InProcessDbt([DBT_EXECUTABLE, "ls", *_project_args(tmp_path)])
    dbt.send_signal(2)

    assert dbt.wait(timeout=0.01) in (-2, EXIT_SUCCESS)
    list(dbt.stdout)
    assert dbt.wait(timeout=120) == EXIT_SUCCESS


def test_the_gold_resource_runs_dbt_in_process_unless_told_otherwise(tmp_path: Path) -> None:
    resource = LakehouseDbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=DBT_EXECUTABLE,
    )
    invocation = resource.cli(["ls", "--resource-type", "model"], target_path=tmp_path / "t")

    assert isinstance(invocation.process, InProcessDbt)
    assert invocation.is_successful()
    assert (tmp_path / "t" / "manifest.json").is_file()
    assert str(resource._cli_version).startswith("1.")
