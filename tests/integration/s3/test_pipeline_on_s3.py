"""The daily job in prod configuration on S3 gives the same tables as the same run on local disk.

The landing zone is generated twice with one seed (into a bucket and into a folder), the daily
job runs for two days against each with ``LAKEHOUSE_ENV=prod``, and every Delta table found
under the two roots (bronze, silver, quarantine, and the gold marts the job builds) must hold
the same rows, apart from ingestion times and the landing root inside file URIs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
import pytest
from deltalake import DeltaTable

from lakehouse.datagen import generate
from lakehouse.definitions import build_definitions
from lakehouse.lake.catalog import discover_tables
from lakehouse.landing.files import list_landing_files, read_landing_file
from lakehouse.operations.jobs import DAILY_JOB
from lakehouse.settings import Settings, load_settings
from lakehouse.sources import load_sources

from .conftest import S3Server

DAYS = (date(2026, 1, 1), date(2026, 1, 2))
ROWS_PER_DAY = 40
SEED = 11
VOLATILE = ("_ingested_at",)
"""Columns that record when a run happened, not what it computed."""


def _use_environment(monkeypatch: pytest.MonkeyPatch, environ: Mapping[str, str]) -> Settings:
    """Make ``environ`` the process's whole lakehouse/AWS environment; return its settings."""
    for name in list(os.environ):
        if name.startswith(("LAKEHOUSE_", "AWS_")):
            monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return load_settings()


def _prod_environment(root: str, landing: str, s3: S3Server | None) -> dict[str, str]:
    return {
        "LAKEHOUSE_ENV": "prod",
        "LAKEHOUSE_ROOT": root,
        "LAKEHOUSE_LANDING": landing,
        "LAKEHOUSE_PII_KEY": "same-key-for-both-runs",
        "LAKEHOUSE_START_DATE": DAYS[0].isoformat(),
        **(s3.env if s3 else {}),
    }


def _run_daily_job(settings: Settings) -> None:
    job = build_definitions(settings).resolve_job_def(DAILY_JOB)
    instance = dg.DagsterInstance.ephemeral()
    for day in DAYS:
        result = job.execute_in_process(partition_key=day.isoformat(), instance=instance)
        assert result.success, f"{day} failed on {settings.root}"


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


def test_daily_job_on_s3_matches_the_same_run_on_local_disk(
    s3_server: S3Server, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3_root, s3_landing = f"s3://{bucket}/prod/lake", f"s3://{bucket}/prod/landing"
    local_root, local_landing = str(tmp_path / "lake"), str(tmp_path / "landing")
    s3_settings = _use_environment(monkeypatch, _prod_environment(s3_root, s3_landing, s3_server))
    options = dict(s3_settings.storage_options)
    for out, storage in ((s3_landing, options), (local_landing, None)):
        generate(out, DAYS[0], len(DAYS), ROWS_PER_DAY, seed=SEED, storage_options=storage)

    _run_daily_job(s3_settings)
    local = _use_environment(monkeypatch, _prod_environment(local_root, local_landing, None))
    _run_daily_job(local)

    on_s3 = discover_tables(s3_root, options)
    on_disk = discover_tables(local_root)
    assert set(on_s3) == set(on_disk)
    assert {"bronze.orders", "silver.orders", "silver.customers"} <= set(on_s3)
    roots = {s3_landing: "<landing>", local_landing: "<landing>"}
    for name in on_s3:
        assert _schema(on_s3[name], options) == _schema(on_disk[name], {}), name
        s3_rows = _rows(on_s3[name], options, roots)
        assert s3_rows == _rows(on_disk[name], {}, roots), name
        if name.startswith(("bronze.", "silver.", "gold.")):
            assert s3_rows, f"{name} is empty"


def test_landing_files_on_s3_read_like_local_files(
    s3_server: S3Server, bucket: str, tmp_path: Path
) -> None:
    s3_landing, local_landing = f"s3://{bucket}/landing", str(tmp_path / "landing")
    options = {**s3_server.env, "AWS_CONDITIONAL_PUT": "etag"}
    generate(s3_landing, DAYS[0], 1, ROWS_PER_DAY, seed=SEED, storage_options=options)
    generate(local_landing, DAYS[0], 1, ROWS_PER_DAY, seed=SEED)

    for spec in load_sources():
        on_s3 = list_landing_files(s3_landing, spec.landing, DAYS[0], options)
        on_disk = list_landing_files(local_landing, spec.landing, DAYS[0])
        assert [u.removeprefix(s3_landing) for u in on_s3] == [
            u.removeprefix(local_landing) for u in on_disk
        ]
        assert on_s3, spec.name
        for s3_uri, local_uri in zip(on_s3, on_disk, strict=True):
            s3_file = read_landing_file(s3_uri, spec.landing, spec.landed_columns, options)
            local_file = read_landing_file(local_uri, spec.landing, spec.landed_columns)
            assert s3_file.table.equals(local_file.table), s3_uri
            assert s3_file.size_bytes == local_file.size_bytes
