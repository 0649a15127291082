"""Fixtures: an MLflow database initialised once per session (its migrations take seconds),
copied for each test that needs a registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakehouse.ml.registry import Registry


@pytest.fixture(scope="session")
def mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated MLflow SQLite database to copy."""
    folder = tmp_path_factory.mktemp("mlflow_template")
    db = folder / "mlflow.db"
    Registry(f"sqlite:///{db}", str(folder / "artifacts")).client.search_experiments()
    return db
