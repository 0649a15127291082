"""The registry as in production: the tracking store in the suite's real PostgreSQL, the model
artifacts in its S3 server (moto), through the same ``Registry`` the assets use."""

from __future__ import annotations

import boto3
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from tests.integration.postgres.conftest import Postgres, postgres  # noqa: F401 (fixture)
from tests.integration.s3.conftest import REGION, S3Server, bucket, s3_server  # noqa: F401

from lakehouse.ml.config import CHAMPION
from lakehouse.ml.registry import Registry


def test_registry_on_postgres_and_s3(
    postgres: Postgres,  # noqa: F811
    s3_server: S3Server,  # noqa: F811
    bucket: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # MLflow's S3 artifact store is boto3: it finds the endpoint and credentials in the
    # environment, as the ECS tasks do (their role instead of keys, and no endpoint).
    for name, value in {**s3_server.env, "MLFLOW_S3_ENDPOINT_URL": s3_server.endpoint}.items():
        monkeypatch.setenv(name, value)
    uri = (
        f"postgresql+psycopg2://{postgres.user}:{postgres.password}@{postgres.host}:{postgres.port}/"
        f"{postgres.db}"
    )
    registry = Registry(uri, f"s3://{bucket}/mlflow")
    x = np.arange(40, dtype=float).reshape(20, 2)
    model = LogisticRegression().fit(x, np.arange(20) % 2)
    version = registry.log_training(model, {"seed": 1}, {"roc_auc": 0.7}, {"purpose": "test"})
    registry.set_alias(CHAMPION, version.version)

    champion = registry.champion()
    assert champion is not None and champion.version == "1"
    assert champion.metrics["roc_auc"] == 0.7 and champion.source.startswith(f"s3://{bucket}/")
    np.testing.assert_allclose(registry.load(champion).predict_proba(x), model.predict_proba(x))
    assert postgres.query("select name from registered_models") == [("churn",)]
    s3 = boto3.client("s3", endpoint_url=s3_server.endpoint, region_name=REGION)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert any(k.startswith("mlflow/") and k.endswith("/model/model.pkl") for k in keys), keys
