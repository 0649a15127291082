"""A chaos lakehouse (root, Dagster home, landing), what an independent reader sees in it, and
what its Dagster instance still holds (runs STARTED, slots claimed, the step a run died in)."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

REPO = Path(__file__).resolve().parents[1]
DEV_INSTANCE = REPO / "infra" / "dagster" / "dagster.dev.yaml"
LIVE = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.CANCELING]
PID_TAG = "lakehouse/pid"


@dataclass
class Lake:
    """A lakehouse root (a folder or ``s3://`` URI) and its Dagster home over a landing zone."""

    root: Path | str
    home: Path
    landing: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    instance_yaml: str | None = None
    """The Dagster instance configuration; the dev instance (SQLite) when None."""

    def env(self) -> dict[str, str]:
        """The environment of a lakehouse process on this lake."""
        self.home.mkdir(parents=True, exist_ok=True)
        config = self.home / "dagster.yaml"
        if self.instance_yaml is not None:
            config.write_text(self.instance_yaml)
        elif not config.exists():
            shutil.copy(DEV_INSTANCE, config)
        return {
            **os.environ,
            "LAKEHOUSE_ROOT": str(self.root),
            "LAKEHOUSE_LANDING": str(self.landing),
            "DAGSTER_HOME": str(self.home),
            "PYTHONWARNINGS": "ignore",
            **self.extra_env,
        }

    @property
    def storage_options(self) -> dict[str, str] | None:
        """deltalake storage options for an S3 root (from the AWS_* variables), else None."""
        if not str(self.root).startswith("s3://"):
            return None
        names = {
            "AWS_ENDPOINT_URL": "AWS_ENDPOINT_URL",
            "AWS_ALLOW_HTTP": "AWS_ALLOW_HTTP",
            "AWS_REGION": "AWS_REGION",
            "AWS_ACCESS_KEY_ID": "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY": "AWS_SECRET_ACCESS_KEY",
        }
        return {k: self.extra_env[v] for k, v in names.items() if v in self.extra_env}


Snapshot = dict[str, tuple[int, str]]
"""Table path under the root -> (rows, digest of the sorted key column)."""


def _table_paths(lake: Lake) -> list[str]:
    root = str(lake.root).rstrip("/")
    if not root.startswith("s3://"):
        return sorted(str(log.parent.relative_to(root)) for log in Path(root).glob("**/_delta_log"))
    import boto3

    options = lake.storage_options or {}
    bucket, _, prefix = root.removeprefix("s3://").partition("/")
    client = boto3.client(
        "s3",
        endpoint_url=options.get("AWS_ENDPOINT_URL"),
        region_name=options.get("AWS_REGION"),
        aws_access_key_id=options.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=options.get("AWS_SECRET_ACCESS_KEY"),
    )
    tables = set()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"].removeprefix(prefix).lstrip("/")
            if "/_delta_log/" in key:
                tables.add(key.split("/_delta_log/", 1)[0])
    return sorted(tables)


def snapshot(lake: Lake | Path) -> Snapshot:
    """Rows and a digest of the sorted key column of every Delta table, read by deltalake (an
    independent reader: no lakehouse code); raises if any table is unreadable."""
    from deltalake import DeltaTable

    lake = lake if isinstance(lake, Lake) else Lake(lake, Path(), Path())
    tables = {}
    for path in _table_paths(lake):
        uri = f"{str(lake.root).rstrip('/')}/{path}"
        table = DeltaTable(uri, storage_options=lake.storage_options).to_pyarrow_table()
        keys = [c for c in table.column_names if c.endswith("_id")][:1] or table.column_names[:1]
        values = sorted(str(v) for v in table.column(keys[0]).to_pylist()) if keys else []
        digest = hashlib.sha256("\n".join(values).encode()).hexdigest()[:12]
        tables[path] = (table.num_rows, digest)
    return tables


@dataclass(frozen=True)
class Comparison:
    """A lake's tables against the reference: rows lost, rows duplicated, tables differing."""

    lost: int
    duplicated: int
    differing: tuple[str, ...]

    @property
    def equal(self) -> bool:
        return not self.differing


def compare(reference: Snapshot, after: Snapshot, required: set[str]) -> Comparison:
    """Compare the tables in ``after`` and the ``required`` ones with the reference's."""
    lost = duplicated = 0
    differing = []
    for path in sorted(set(after) | required):
        want = reference.get(path)
        got = after.get(path)
        if want != got:
            differing.append(path)
        rows_wanted, rows_got = (want or (0, ""))[0], (got or (0, ""))[0]
        lost += max(0, rows_wanted - rows_got)
        duplicated += max(0, rows_got - rows_wanted)
    return Comparison(lost, duplicated, tuple(differing))


def instance_state(home: Path) -> tuple[list[str], int]:
    """Runs still STARTED/STARTING/CANCELING, and the slots claimed in every pool."""
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return live_runs(instance), claimed_slots(instance)


def live_runs(instance: dg.DagsterInstance) -> list[str]:
    records = instance.get_run_records(filters=dg.RunsFilter(statuses=LIVE))
    return [r.dagster_run.run_id for r in records]


def claimed_slots(instance: dg.DagsterInstance) -> int:
    storage = instance.event_log_storage
    pools = [p.name for p in storage.get_pool_limits()]
    return sum(len(i.claimed_slots) for i in storage.get_concurrency_infos(pools).values())


def run_of_pid(instance: dg.DagsterInstance, pid: int) -> str | None:
    """The newest run started by the headless process ``pid``."""
    records = instance.get_run_records(filters=dg.RunsFilter(tags={PID_TAG: str(pid)}), limit=1)
    return records[0].dagster_run.run_id if records else None


def steps(instance: dg.DagsterInstance, run_id: str) -> tuple[list[str], list[str]]:
    """The steps of ``run_id`` started so far, in order, and those of them that ended."""
    types = {
        dg.DagsterEventType.STEP_START,
        dg.DagsterEventType.STEP_SUCCESS,
        dg.DagsterEventType.STEP_FAILURE,
    }
    started, ended = [], []
    for record in instance.get_records_for_run(run_id, of_type=types).records:
        entry = record.event_log_entry
        if entry.dagster_event_type == dg.DagsterEventType.STEP_START:
            started.append(entry.step_key or "")
        else:
            ended.append(entry.step_key or "")
    return started, ended


def point(instance: dg.DagsterInstance, pid: int) -> str:
    """Where the run of ``pid`` is: the step running, between steps, or before its run."""
    run_id = run_of_pid(instance, pid)
    if run_id is None:
        return "before the run"
    started, ended = steps(instance, run_id)
    running = [s for s in started if s not in ended]
    if running:
        return running[-1]
    return f"after {started[-1]}" if started else "run start"


def step_durations(home: Path) -> dict[str, float]:
    """Seconds each step took in the runs of ``home`` (the reference), by step key."""
    seconds: dict[str, float] = {}
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for record in instance.get_run_records():
            begun: dict[str, float] = {}
            types = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS}
            run_id = record.dagster_run.run_id
            for event in instance.get_records_for_run(run_id, of_type=types).records:
                entry = event.event_log_entry
                key = entry.step_key or ""
                if entry.dagster_event_type == dg.DagsterEventType.STEP_START:
                    begun[key] = entry.timestamp
                elif key in begun:
                    seconds[key] = entry.timestamp - begun[key]
    return seconds


def step_seconds(instance: dg.DagsterInstance, run_id: str, key: str) -> float | None:
    """Seconds from the start to the success of step ``key`` in ``run_id``, if it succeeded."""
    types = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS}
    times = {
        r.event_log_entry.dagster_event_type: r.event_log_entry.timestamp
        for r in instance.get_records_for_run(run_id, of_type=types).records
        if r.event_log_entry.step_key == key
    }
    start = times.get(dg.DagsterEventType.STEP_START)
    end = times.get(dg.DagsterEventType.STEP_SUCCESS)
    return end - start if start is not None and end is not None else None
