"""The dbt project on an s3:// lakehouse (moto on 127.0.0.1): both plugins reach S3 through
deltalake with nothing but LAKEHOUSE_ROOT and the AWS_* environment variables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from deltalake import DeltaTable, write_deltalake

from .conftest import MARTS, SPECS, history_table, run_dbt, silver_rows, silver_table

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")


@pytest.fixture
def s3_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A moto S3 server with the bucket ``lake``; its AWS_* settings are in os.environ."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ALLOW_HTTP": "true",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"]).create_bucket(Bucket="lake")
    yield env
    server.stop()


def test_build_reads_and_writes_delta_on_s3(s3_env: dict[str, str], tmp_path: Path) -> None:
    root = "s3://lake/prod"
    for source, rows in silver_rows().items():
        partitions = ["_landing_date"] if SPECS[source].kind == "fact" else None
        write_deltalake(
            f"{root}/silver/{source}",
            silver_table(source, rows),
            partition_by=partitions,
            storage_options=dict(s3_env),
        )
        if SPECS[source].type2 or SPECS[source].kind == "fact":
            write_deltalake(
                f"{root}/silver/{source}_history",
                history_table(source, rows) if partitions is None else silver_table(source, rows),
                partition_by=["_landing_date"],
                storage_options=dict(s3_env),
            )
    assert all(os.environ[k] == v for k, v in s3_env.items())

    run = run_dbt(root, tmp_path, "build")

    assert run.returncode == 0, run.output
    # Published through staging: every candidate is dropped from S3 once committed. (boto3:
    # deltalake's is_deltatable holds the GIL, so it cannot reach moto's in-process server.)
    s3 = boto3.client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL"])
    assert s3.list_objects_v2(Bucket="lake", Prefix="prod/_staging/")["KeyCount"] == 0
    for mart in MARTS:
        table = DeltaTable(f"{root}/gold/{mart}", storage_options=dict(s3_env))
        assert table.to_pyarrow_dataset().to_table(use_threads=False).num_rows > 0, mart
