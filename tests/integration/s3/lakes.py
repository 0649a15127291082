"""Lakehouses the S3 tests build and compare: a prod environment, a generated landing zone,
the daily job run day by day, and every Delta table of two roots compared row for row.

Imported by the tests (``from .lakes import ...``) and by ``backfill_process.py``, which runs
as a script beside it; so this module imports nothing relative.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import dagster as dg
import pyarrow as pa
import pytest
from deltalake import DeltaTable

from lakehouse.datagen import generate
from lakehouse.definitions import build_definitions
from lakehouse.lake.catalog import discover_tables
from lakehouse.operations.jobs import DAILY_JOB
from lakehouse.settings import Settings, load_settings

ROWS_PER_DAY = 40
SEED = 11
PII_KEY = "same-key-for-every-lake"
VOLATILE = ("_ingested_at",)
"""Columns that record when a run happened, not what it computed."""


def prod_environment(
    root: str, landing: str, start: date, s3_env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The lakehouse variables of a prod deployment on ``root`` and ``landing`` (plus the
    S3 server's ``AWS_*`` variables), with one PII key for every lake so they compare."""
    return {
        "LAKEHOUSE_ENV": "prod",
        "LAKEHOUSE_ROOT": root,
        "LAKEHOUSE_LANDING": landing,
        "LAKEHOUSE_PII_KEY": PII_KEY,
        "LAKEHOUSE_START_DATE": start.isoformat(),
        **(s3_env or {}),
    }


def use_environment(monkeypatch: pytest.MonkeyPatch, environ: Mapping[str, str]) -> Settings:
    """Make ``environ`` the process's whole lakehouse/AWS environment; return its settings."""
    for name in list(os.environ):
        if name.startswith(("LAKEHOUSE_", "AWS_")):
            monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return load_settings()


def land(out: str, days: Sequence[date], storage_options: Mapping[str, str] | None) -> None:
    """Generate the landing zone of ``days`` (consecutive) under ``out``: same bytes each time."""
    options = dict(storage_options) if storage_options else None
    generate(out, days[0], len(days), ROWS_PER_DAY, seed=SEED, storage_options=options)


def daily_job(settings: Settings) -> dg.JobDefinition:
    """The daily job of the deployment ``settings`` describe."""
    return build_definitions(settings).resolve_job_def(DAILY_JOB)


def run_days(
    job: dg.JobDefinition, days: Sequence[date], instance: dg.DagsterInstance | None = None
) -> list[tuple[float, float]]:
    """Run ``job`` once per day, in the order given, on ``instance`` (default: an ephemeral
    one, which shares no concurrency pool with another process); each run's start and end
    (``time.time()``)."""
    instance = instance or dg.DagsterInstance.ephemeral()
    spans = []
    for day in days:
        started = time.time()
        result = job.execute_in_process(partition_key=day.isoformat(), instance=instance)
        assert result.success, f"the daily job failed for {day}"
        spans.append((started, time.time()))
    return spans


def run_daily_job(settings: Settings, days: Sequence[date]) -> None:
    """Run the daily job of ``settings`` once per day, in the order given."""
    run_days(daily_job(settings), days)


def _rows(uri: str, options: Mapping[str, str], roots: Mapping[str, str]) -> list[dict[str, Any]]:
    """The table's rows without volatile columns, root URIs replaced by names, sorted."""
    table = DeltaTable(uri, storage_options=dict(options) or None).to_pyarrow_table()
    table = table.drop_columns([c for c in VOLATILE if c in table.column_names])
    rows = table.to_pylist()
    for row in rows:
        for column, value in row.items():
            if isinstance(value, str):
                for root, name in roots.items():
                    value = value.replace(root, name)
                row[column] = value
    return sorted(rows, key=repr)


def _schema(uri: str, options: Mapping[str, str]) -> pa.Schema:
    return pa.schema(DeltaTable(uri, storage_options=dict(options) or None).schema().to_arrow())


def assert_same_tables(
    left: str,
    left_options: Mapping[str, str],
    right: str,
    right_options: Mapping[str, str],
    roots: Mapping[str, str],
) -> dict[str, str]:
    """Assert the lakes under ``left`` and ``right`` hold the same Delta tables with the same
    schemas and rows (``VOLATILE`` columns dropped, each of ``roots`` replaced by its name in
    strings); bronze, silver and gold tables must not be empty. Returns left's tables."""
    on_left = discover_tables(left, left_options)
    on_right = discover_tables(right, right_options)
    assert set(on_left) == set(on_right)
    assert {"bronze.orders", "silver.orders", "silver.customers"} <= set(on_left)
    for name in on_left:
        assert _schema(on_left[name], left_options) == _schema(on_right[name], right_options), name
        rows = _rows(on_left[name], left_options, roots)
        assert rows == _rows(on_right[name], right_options, roots), name
        if name.startswith(("bronze.", "silver.", "gold.")):
            assert rows, f"{name} is empty"
    return on_left
