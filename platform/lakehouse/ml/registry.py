"""The MLflow tracking store and model registry, with no global MLflow state.

Every call goes through one ``MlflowClient`` for ``tracking_uri``; model files are saved with
the sklearn flavour and logged as run artifacts under the experiment's ``artifact_location``
(a folder under the lakehouse root in dev, ``s3://...`` in production).
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakehouse.ml.config import CHALLENGER, CHAMPION, MODEL_NAME

EXPERIMENT = "churn"


@dataclass(frozen=True)
class Version:
    """A registered model version: its number, run, aliases, tags and the run's metrics."""

    version: str
    run_id: str
    source: str
    aliases: tuple[str, ...]
    tags: Mapping[str, str]
    metrics: Mapping[str, float]
    params: Mapping[str, str]


def code_version() -> str:
    """The git commit of the checkout (``+dirty`` with local changes), else ``unknown``."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=10
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if commit.returncode != 0:
        return "unknown"
    return commit.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def _artifact_uri(location: str) -> str:
    return location if "://" in location else Path(location).absolute().as_uri()


class Registry:
    """The churn model's runs and versions in one MLflow tracking store and registry."""

    def __init__(self, tracking_uri: str, artifact_location: str, name: str = MODEL_NAME) -> None:
        self.tracking_uri = tracking_uri
        self.artifact_location = _artifact_uri(artifact_location)
        self.name = name
        self._client: Any = None
        self._models: dict[str, Any] = {}

    @property
    def client(self) -> Any:
        """The ``MlflowClient`` (imported on first use: MLflow takes seconds to import)."""
        if self._client is None:
            from mlflow import MlflowClient

            if self.tracking_uri.startswith("sqlite:///"):
                Path(self.tracking_uri.removeprefix("sqlite:///")).parent.mkdir(
                    parents=True, exist_ok=True
                )
            self._client = MlflowClient(
                tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri
            )
        return self._client

    def experiment_id(self) -> str:
        """The experiment's id, creating it (with the artifact location) on first use."""
        found = self.client.get_experiment_by_name(EXPERIMENT)
        if found is not None:
            return found.experiment_id
        return self.client.create_experiment(EXPERIMENT, artifact_location=self.artifact_location)

    def log_training(
        self,
        model: Any,
        params: Mapping[str, Any],
        metrics: Mapping[str, float],
        tags: Mapping[str, str],
    ) -> Version:
        """One run (params, metrics, tags, the model) and a new registered model version."""
        import sklearn
        from mlflow.sklearn import save_model

        client = self.client
        run = client.create_run(self.experiment_id(), tags=dict(tags), run_name="train-churn")
        run_id = run.info.run_id
        for key, value in params.items():
            client.log_param(run_id, key, value)
        for key, value in metrics.items():
            client.log_metric(run_id, key, value)
        with tempfile.TemporaryDirectory() as folder:
            logging.getLogger("mlflow").setLevel(logging.ERROR)
            save_model(
                model,
                f"{folder}/model",
                serialization_format="cloudpickle",
                pip_requirements=[f"scikit-learn=={sklearn.__version__}"],
            )
            client.log_artifacts(run_id, f"{folder}/model", artifact_path="model")
        client.set_terminated(run_id)
        if not client.search_registered_models(f"name = '{self.name}'"):
            client.create_registered_model(self.name)
        made = client.create_model_version(
            self.name, source=f"{run.info.artifact_uri}/model", run_id=run_id, tags=dict(tags)
        )
        return self.version(made.version)

    def version(self, version: str | int) -> Version:
        """A registered version with its run's metrics and params."""
        mv = self.client.get_model_version(self.name, str(version))
        run = self.client.get_run(mv.run_id)
        return Version(
            version=str(mv.version),
            run_id=mv.run_id,
            source=mv.source,
            aliases=tuple(mv.aliases or ()),
            tags=dict(mv.tags or {}),
            metrics=dict(run.data.metrics),
            params=dict(run.data.params),
        )

    def versions(self) -> list[Version]:
        """Every registered version, oldest first."""
        if not self.client.search_registered_models(f"name = '{self.name}'"):
            return []
        found = self.client.search_model_versions(f"name = '{self.name}'")
        return sorted((self.version(v.version) for v in found), key=lambda v: int(v.version))

    def alias(self, alias: str) -> Version | None:
        """The version holding ``alias`` (``champion``, ``challenger``), or None."""
        from mlflow.exceptions import MlflowException

        try:
            mv = self.client.get_model_version_by_alias(self.name, alias)
        except MlflowException:
            return None
        return self.version(mv.version)

    def champion(self) -> Version | None:
        """The serving model version, or None before the first promotion."""
        return self.alias(CHAMPION)

    def challenger(self) -> Version | None:
        """The version on canary, or None."""
        return self.alias(CHALLENGER)

    def set_alias(self, alias: str, version: str) -> None:
        """Point ``alias`` at ``version`` (an alias names one version at a time)."""
        self.client.set_registered_model_alias(self.name, alias, str(version))

    def drop_alias(self, alias: str) -> None:
        """Remove ``alias`` if it is set."""
        if self.alias(alias) is not None:
            self.client.delete_registered_model_alias(self.name, alias)

    def tag(self, version: str, key: str, value: str) -> None:
        """Set a tag on a version (status, reason)."""
        self.client.set_model_version_tag(self.name, str(version), key, value)

    def load(self, version: Version) -> Any:
        """The version's fitted model (kept in memory: a version's model never changes)."""
        if version.source in self._models:
            return self._models[version.source]
        from mlflow.artifacts import download_artifacts
        from mlflow.sklearn import load_model

        with tempfile.TemporaryDirectory() as folder:
            path = download_artifacts(artifact_uri=version.source, dst_path=folder)
            self._models[version.source] = load_model(path)
        return self._models[version.source]
