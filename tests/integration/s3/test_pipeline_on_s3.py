"""The daily job in prod configuration on S3 gives the same tables as the same run on local disk.

The landing zone is generated twice with one seed (into a bucket and into a folder), the daily
job runs for two days against each with ``LAKEHOUSE_ENV=prod``, and every Delta table found
under the two roots (bronze, silver, quarantine, and the gold marts the job builds) must hold
the same rows, apart from ingestion times and the landing root inside file URIs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lakehouse.landing.files import list_landing_files, read_landing_file
from lakehouse.sources import load_sources

from .conftest import S3Server
from .lakes import assert_same_tables, land, prod_environment, run_daily_job, use_environment

DAYS = (date(2026, 1, 1), date(2026, 1, 2))


def test_daily_job_on_s3_matches_the_same_run_on_local_disk(
    s3_server: S3Server, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3_root, s3_landing = f"s3://{bucket}/prod/lake", f"s3://{bucket}/prod/landing"
    local_root, local_landing = str(tmp_path / "lake"), str(tmp_path / "landing")
    on_s3 = prod_environment(s3_root, s3_landing, DAYS[0], s3_server.env)
    s3_settings = use_environment(monkeypatch, on_s3)
    options = dict(s3_settings.storage_options)
    land(s3_landing, DAYS, options)
    land(local_landing, DAYS, None)

    run_daily_job(s3_settings, DAYS)
    local = use_environment(monkeypatch, prod_environment(local_root, local_landing, DAYS[0]))
    run_daily_job(local, DAYS)

    roots = {s3_landing: "<landing>", local_landing: "<landing>"}
    assert_same_tables(s3_root, options, local_root, {}, roots)


def test_landing_files_on_s3_read_like_local_files(
    s3_server: S3Server, bucket: str, tmp_path: Path
) -> None:
    s3_landing, local_landing = f"s3://{bucket}/landing", str(tmp_path / "landing")
    options = {**s3_server.env, "AWS_CONDITIONAL_PUT": "etag"}
    land(s3_landing, DAYS[:1], options)
    land(local_landing, DAYS[:1], None)

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
