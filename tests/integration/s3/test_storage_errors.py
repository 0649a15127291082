"""A step that cannot reach its storage fails at once, in one line that says what to fix.

An asset shaped like the platform's (the real ``LakehouseResource`` and ``DeltaStore``, the
real ``TRANSIENT_RETRY_POLICY`` and ``retry_transient_only``) writes or reads a table with its
root on the moto S3 server of ``conftest.py``: once in a bucket that does not exist, once with
``AWS_ENDPOINT_URL`` on a closed port. Neither is retried (one step attempt, no "up for
retry"), both fail within seconds, and the failure's description names the bucket or
``AWS_ENDPOINT_URL``. The analysts' ``lakehouse sql`` sandbox keeps reading tables on S3 after
it is locked down.
"""

# No ``from __future__ import annotations``: Dagster reads the resource annotations at runtime.

import socket
import time
import uuid
from datetime import date
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from lakehouse.lake import DeltaStore
from lakehouse.lake.catalog import connect
from lakehouse.lake.resource import LakehouseResource
from lakehouse.policy.retries import TRANSIENT_RETRY_POLICY, retry_transient_only

from .conftest import REGION, S3Server

ROWS = pa.table({"order_id": [1, 2], "_landing_date": [date(2026, 1, 1)] * 2})


@dg.asset(key=["silver", "probe"], retry_policy=TRANSIENT_RETRY_POLICY)
@retry_transient_only
def write_probe(lakehouse: LakehouseResource) -> dg.MaterializeResult:
    """Append two rows (a Delta write through the store's commit retries)."""
    result = lakehouse.store().append(["silver", "probe"], ROWS)
    return dg.MaterializeResult(metadata={"version": result.version})


@dg.asset(key=["silver", "probe"], retry_policy=TRANSIENT_RETRY_POLICY)
@retry_transient_only
def read_probe(lakehouse: LakehouseResource) -> dg.MaterializeResult:
    """Read a table (deltalake's error reaches the step policy untouched by the store)."""
    return dg.MaterializeResult(metadata={"rows": lakehouse.store().read(["silver", "x"]).num_rows})


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(
    asset: dg.AssetsDefinition, tmp_path: Path, root: str, endpoint: str
) -> tuple[dg.ExecuteInProcessResult, float]:
    resource = LakehouseResource(
        root=root,
        landing=str(tmp_path / "landing"),
        pii_key="test",
        storage={"AWS_ENDPOINT_URL": endpoint, "AWS_ALLOW_HTTP": "true", "AWS_REGION": REGION},
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    started = time.monotonic()
    result = dg.materialize([asset], resources={"lakehouse": resource}, raise_on_error=False)
    return result, time.monotonic() - started


def _only_failure(result: dg.ExecuteInProcessResult) -> str:
    """The single step failure's description; asserts the step ran once and was not retried."""
    events = result.all_events
    assert not result.success
    assert [e for e in events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY] == []
    assert len([e for e in events if e.event_type == dg.DagsterEventType.STEP_START]) == 1
    [failure] = [e for e in events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    data = failure.step_failure_data
    assert data.user_failure_data is not None
    description = data.user_failure_data.description
    assert description is not None and "\n" not in description
    assert "Exceeded max_retries" not in data.error.message
    return description


ASSETS = pytest.mark.parametrize("asset", [write_probe, read_probe], ids=["write", "read"])


@ASSETS
def test_a_missing_bucket_fails_at_once_naming_the_bucket(
    asset: dg.AssetsDefinition, s3_server: S3Server, tmp_path: Path
) -> None:
    bucket = f"missing-{uuid.uuid4().hex[:12]}"
    result, seconds = _run(asset, tmp_path, f"s3://{bucket}/lake", s3_server.endpoint)
    description = _only_failure(result)
    assert f"bucket '{bucket}' does not exist" in description
    assert "create it" in description
    assert seconds < 30
    # The object store client did not retry either: a handful of requests, not dozens.
    requests = [line for line in s3_server.log.read_text().splitlines() if f"/{bucket}" in line]
    assert 1 <= len(requests) <= 3, requests


@ASSETS
def test_a_refused_endpoint_fails_at_once_naming_aws_endpoint_url(
    asset: dg.AssetsDefinition, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{_closed_port()}"
    result, seconds = _run(asset, tmp_path, "s3://lake-bucket/lake", dead)
    description = _only_failure(result)
    assert description.startswith(f"cannot connect to {dead} (connection refused)")
    assert "AWS_ENDPOINT_URL" in description
    assert seconds < 30


def test_the_locked_down_sandbox_reads_tables_on_s3(s3_server: S3Server, bucket: str) -> None:
    options = dict(s3_server.env)
    root = f"s3://{bucket}/lake"
    store = DeltaStore(root, options)
    store.overwrite(["silver", "orders"], pa.table({"order_id": [1, 2], "total": [2.5, 4.0]}))
    store.overwrite(["bronze", "orders"], pa.table({"order_id": ["1", "2"]}))
    con, names = connect(root, options)
    assert names == ["silver.orders"]
    assert con.execute("select sum(total) from silver.orders").fetchone() == (6.5,)
    assert con.execute("select current_setting('enable_external_access')").fetchone() == (False,)
    with pytest.raises(Exception, match="disabled"):
        con.execute(f"select * from read_parquet('s3://{bucket}/lake/bronze/orders/*.parquet')")


@dg.asset(retry_policy=dg.RetryPolicy(max_retries=1))
@retry_transient_only
def always_reset(context: dg.AssetExecutionContext) -> None:
    """Fails like a dropped S3 connection on every attempt."""
    raise OSError("Generic S3 error: Connection reset by peer (os error 104)")


def test_a_transient_error_is_retried_and_the_last_failure_says_why() -> None:
    result = dg.materialize([always_reset], raise_on_error=False)
    events = result.all_events
    assert len([e for e in events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]) == 1
    [failure] = [e for e in events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert "Exceeded max_retries" not in failure.step_failure_data.error.message
    assert failure.step_failure_data.user_failure_data.description == (
        "OSError: Generic S3 error: Connection reset by peer (os error 104)"
    )
