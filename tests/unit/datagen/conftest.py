"""Landings generated once per session and shared by the datagen tests (read-only)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lakehouse.datagen import GenerationReport, generate

START = date(2026, 11, 20)  # a Friday, so three days cover weekdays and the weekend
DAYS = 3
ROWS = 40


@pytest.fixture(scope="session")
def clean_landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, GenerationReport]:
    """Three fault-free days of 40 orders each."""
    out = tmp_path_factory.mktemp("clean")
    return out, generate(str(out), START, DAYS, ROWS, seed=7)
