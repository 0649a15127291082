"""MLflow settings: a local store under the lakehouse root in dev; the environment's in prod,
the tracking URI (it holds a password) reaching the resource as ``dg.EnvVar``."""

import dagster as dg
import pytest

from lakehouse.ml.resource import MlflowResource
from lakehouse.settings import load_settings

PROD = {
    "LAKEHOUSE_ENV": "prod",
    "LAKEHOUSE_ROOT": "s3://bucket/prod/lake",
    "LAKEHOUSE_LANDING": "s3://bucket/prod/landing",
    "LAKEHOUSE_PII_KEY": "k",
    "AWS_REGION": "eu-west-1",
}


def test_dev_keeps_mlflow_under_the_lakehouse_root(tmp_path) -> None:
    settings = load_settings({"LAKEHOUSE_ROOT": str(tmp_path), "LAKEHOUSE_LANDING": "x"})
    assert settings.mlflow is not None
    assert settings.mlflow.tracking_uri == f"sqlite:///{tmp_path}/mlflow/mlflow.db"
    assert settings.mlflow.artifact_location == f"{tmp_path}/mlflow/artifacts"


def test_prod_takes_postgres_and_s3_from_the_environment() -> None:
    env = {
        **PROD,
        "LAKEHOUSE_MLFLOW_TRACKING_URI": "postgresql+psycopg2://u:p@db/mlflow",
        "LAKEHOUSE_MLFLOW_ARTIFACTS": "s3://bucket/prod/mlflow/",
    }
    settings = load_settings(env)
    assert settings.mlflow is not None
    assert settings.mlflow.artifact_location == "s3://bucket/prod/mlflow"
    resource = MlflowResource.from_settings(settings)
    assert isinstance(resource.tracking_uri, dg.EnvVar)


def test_prod_without_a_tracking_store_loads_but_says_what_to_set() -> None:
    resource = MlflowResource.from_settings(load_settings(PROD))
    with pytest.raises(ValueError, match="LAKEHOUSE_MLFLOW_TRACKING_URI"):
        resource.registry()
