"""The production Dagster instance on a real PostgreSQL: a schedule started over GraphQL fires
through the daemon, its run succeeds and is stored in PostgreSQL, and the run history and
schedule state survive a webserver restart.

The instance is ``infra/dagster/dagster.prod.yaml`` as deployed, minus its ``run_launcher``
(EcsRunLauncher needs ECS; without it runs start as local subprocesses).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import PROJECT, Postgres, free_port
from .schedule_location import JOB, SCHEDULE

PROD_INSTANCE = PROJECT / "infra" / "dagster" / "dagster.prod.yaml"
LOCATION = Path(__file__).with_name("schedule_location.py")
BIN = Path(sys.executable).parent
SELECTOR = {
    "repositoryLocationName": "schedule_test",
    "repositoryName": "__repository__",
    "scheduleName": SCHEDULE,
}
SCHEDULE_QUERY = """
query Schedule($selector: ScheduleSelector!) {
  scheduleOrError(scheduleSelector: $selector) {
    __typename
    ... on Schedule { scheduleState { status } }
  }
}"""
START_SCHEDULE = """
mutation Start($selector: ScheduleSelector!) {
  startSchedule(scheduleSelector: $selector) {
    __typename
    ... on ScheduleStateResult { scheduleState { status } }
    ... on PythonError { message }
  }
}"""
RUNS_QUERY = """
query Runs($tags: [ExecutionTag!]) {
  runsOrError(filter: {tags: $tags}) {
    __typename
    ... on Runs { results { runId status jobName } }
  }
}"""
RUN_WAIT_SECONDS = 150
"""Upper bound for the schedule to fire (next minute) and its run to finish."""


def _graphql(port: int, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        answer = json.loads(response.read())
    if answer.get("errors"):
        raise AssertionError(f"GraphQL errors: {answer['errors']}")
    return answer["data"]


@dataclass
class Services:
    """Dagster processes started by a test; each in its own process group, all stopped at end."""

    home: Path
    env: dict[str, str]
    started: list[tuple[subprocess.Popen[bytes], Path]] = field(default_factory=list)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = self.home / f"{name}-{len(self.started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(BIN / name), *args],
                cwd=self.home,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((process, log))
        return process

    def webserver(self) -> int:
        """Start a webserver on a free port; return the port once it serves the schedule."""
        port = free_port()
        process = self.start(
            "dagster-webserver", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)
        )
        self.wait(lambda: self._schedule_loaded(port), 120, "the webserver to load the location")
        assert process.poll() is None
        return port

    def _schedule_loaded(self, port: int) -> bool:
        try:
            answer = _graphql(port, SCHEDULE_QUERY, {"selector": SELECTOR})
        except OSError:
            return False
        return answer["scheduleOrError"]["__typename"] == "Schedule"

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):  # its children share the group
            os.killpg(process.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for process, _ in reversed(self.started):
            self.stop(process)

    def logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-4000:]}" for _, log in self.started)

    def wait(self, ready: Any, seconds: float, what: str) -> Any:
        """Poll ``ready()`` until it returns a truthy value; fail with the logs after a while."""
        deadline = time.monotonic() + seconds
        while True:
            value = ready()
            if value:
                return value
            dead = [p for p, _ in self.started if p.poll() is not None and p.returncode != 0]
            if dead or time.monotonic() > deadline:
                pytest.fail(f"gave up waiting for {what}\n{self.logs()}")
            time.sleep(1)


@pytest.fixture
def services(tmp_path: Path, postgres: Postgres) -> Iterator[Services]:
    """A DAGSTER_HOME with the production instance pointed at ``postgres``, and a workspace."""
    config = yaml.safe_load(PROD_INSTANCE.read_text())
    config.pop("run_launcher")
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config))
    workspace = {
        "load_from": [
            {
                "python_file": {
                    "relative_path": str(LOCATION),
                    "location_name": SELECTOR["repositoryLocationName"],
                    "working_directory": str(LOCATION.parent),
                }
            }
        ]
    }
    (tmp_path / "workspace.yaml").write_text(yaml.safe_dump(workspace))
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), **postgres.dagster_env}
    running = Services(home=tmp_path, env=env)
    try:
        yield running
    finally:
        running.stop_all()


def _runs(port: int) -> list[dict[str, Any]]:
    tags = [{"key": "dagster/schedule_name", "value": SCHEDULE}]
    answer = _graphql(port, RUNS_QUERY, {"tags": tags})["runsOrError"]
    assert answer["__typename"] == "Runs", answer
    return answer["results"]


def _daemons_beating(postgres: Postgres) -> bool:
    beating = {row[0] for row in postgres.query("select daemon_type from daemon_heartbeats")}
    return {"SCHEDULER", "QUEUED_RUN_COORDINATOR"} <= beating


@pytest.mark.e2e
def test_scheduled_run_is_stored_in_postgres_and_survives_a_webserver_restart(
    services: Services, postgres: Postgres
) -> None:
    services.start("dagster-daemon", "run", "-w", "workspace.yaml")
    port = services.webserver()
    services.wait(lambda: _daemons_beating(postgres), 120, "daemon heartbeats in PostgreSQL")

    started = _graphql(port, START_SCHEDULE, {"selector": SELECTOR})["startSchedule"]
    assert started["__typename"] == "ScheduleStateResult", started
    assert started["scheduleState"]["status"] == "RUNNING"

    def finished_run() -> dict[str, Any] | None:
        done = [r for r in _runs(port) if r["status"] in ("SUCCESS", "FAILURE", "CANCELED")]
        return done[0] if done else None

    run = services.wait(finished_run, RUN_WAIT_SECONDS, "a scheduled run to finish")
    assert run["status"] == "SUCCESS", services.logs()
    assert run["jobName"] == JOB

    stored = postgres.query("select status from runs where run_id = %s", run["runId"])
    assert stored == [("SUCCESS",)]
    events = postgres.query("select count(*) from event_logs where run_id = %s", run["runId"])
    assert events[0][0] > 0
    assert not (services.home / "history").exists(), "run history went to SQLite"

    first_webserver = next(p for p, log in services.started if "webserver" in log.name)
    services.stop(first_webserver)
    port = services.webserver()

    after = {r["runId"]: r["status"] for r in _runs(port)}
    assert after[run["runId"]] == "SUCCESS"
    schedule = _graphql(port, SCHEDULE_QUERY, {"selector": SELECTOR})["scheduleOrError"]
    assert schedule["scheduleState"]["status"] == "RUNNING"
