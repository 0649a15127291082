"""Helpers for the automation tests: a persistent instance in tmp_path and recent landing days."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from lakehouse.definitions import build_definitions
from lakehouse.settings import Settings, load_settings

from ...unit.operations.conftest import Receiver, receiver
from ..s3.conftest import S3Server, bucket, s3_server

TODAY = datetime.now(UTC).date()
START = TODAY - timedelta(days=6)


def days_ago(n: int) -> date:
    """A landing day ``n`` days before today (UTC); 1 is the newest partition."""
    return TODAY - timedelta(days=n)


def lakehouse_settings(tmp_path: Path, **environ: str) -> Settings:
    """Settings rooted in ``tmp_path`` with partitions from ``START`` (a few days ago)."""
    return load_settings(
        {
            "LAKEHOUSE_ROOT": str(tmp_path / "lake"),
            "LAKEHOUSE_LANDING": str(tmp_path / "landing"),
            "LAKEHOUSE_START_DATE": START.isoformat(),
            **environ,
        }
    )


def lakehouse_defs(settings: Settings) -> dg.Definitions:
    """The real definitions for ``settings``."""
    return build_definitions(settings)


@pytest.fixture
def instance(tmp_path: Path) -> Iterator[dg.DagsterInstance]:
    home = tmp_path / "dagster"
    home.mkdir()
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        yield instance


__all__ = [
    "Receiver",
    "S3Server",
    "bucket",
    "days_ago",
    "lakehouse_defs",
    "lakehouse_settings",
    "receiver",
    "s3_server",
]
