"""Fixtures of the gold unit tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lakehouse.gold.project import DBT_PROJECT_DIR, PROJECT_SOURCES


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the dbt project that a test may edit."""
    copy = tmp_path / "dbt_project"
    copy.mkdir()
    for name in PROJECT_SOURCES:
        source = DBT_PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, copy / name)
        elif source.is_file():
            shutil.copy(source, copy / name)
    return copy
