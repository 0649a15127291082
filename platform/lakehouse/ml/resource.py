"""The MLflow resource: where the tracking store, registry and model artifacts live."""

import dagster as dg

from lakehouse.ml.registry import Registry
from lakehouse.settings import Settings


class MlflowResource(dg.ConfigurableResource):
    """MLflow tracking and registry at ``tracking_uri`` (a secret in production: it holds the
    PostgreSQL password, so it arrives as ``dg.EnvVar``), artifacts at ``artifact_location``."""

    tracking_uri: str
    artifact_location: str

    def registry(self) -> Registry:
        """The churn model's registry; raises ``ValueError`` when none is configured."""
        if not self.tracking_uri or not self.artifact_location:
            raise ValueError(
                "no MLflow tracking store configured: set LAKEHOUSE_MLFLOW_TRACKING_URI "
                "(postgresql+psycopg2://...); artifacts go to <LAKEHOUSE_ROOT>/mlflow/artifacts "
                "unless LAKEHOUSE_MLFLOW_ARTIFACTS is set"
            )
        return Registry(self.tracking_uri, self.artifact_location)

    @classmethod
    def from_settings(cls, settings: Settings) -> "MlflowResource":
        """Dev: SQLite and a folder under the lakehouse root; elsewhere from the environment."""
        mlflow = settings.mlflow
        if mlflow is None:
            return cls(tracking_uri="", artifact_location="")
        uri = (
            dg.EnvVar("LAKEHOUSE_MLFLOW_TRACKING_URI")
            if mlflow.tracking_uri_from_env
            else mlflow.tracking_uri
        )
        return cls(tracking_uri=uri, artifact_location=mlflow.artifact_location)
