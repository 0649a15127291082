"""Transient errors are retried with backoff; bad data fails at once, without retries."""

# No ``from __future__ import annotations``: Dagster reads the resource annotations at runtime.

from pathlib import Path

import dagster as dg
import pytest
from deltalake.exceptions import CommitFailedError

from lakehouse.bronze.assets import build_bronze_asset
from lakehouse.datagen import generate
from lakehouse.lake import DeltaStore
from lakehouse.lake.resource import LakehouseResource
from lakehouse.landing.assets import landing_spec
from lakehouse.landing.files import LandingFileError
from lakehouse.landing.partitions import daily_partitions
from lakehouse.policy.retries import TRANSIENT_RETRY_POLICY, is_transient
from lakehouse.sources import load_sources

from .conftest import START, days_ago

ORDERS = next(s for s in load_sources() if s.name == "orders")


class FlakyLakehouse(LakehouseResource):
    """The real resource, except ``store()`` first raises ``failure`` while ``marker`` exists."""

    marker: str
    failure: str = "transient"

    def store(self) -> DeltaStore:
        marker = Path(self.marker)
        if marker.exists():
            marker.unlink()
            if self.failure == "transient":
                raise OSError("Generic S3 error: connection reset by peer (injected)")
            raise LandingFileError("cannot read landing file orders/x.jsonl (injected bad data)")
        return super().store()


def _run(tmp_path: Path, failure: str) -> dg.ExecuteInProcessResult:
    landing = tmp_path / "landing"
    generate(str(landing), days_ago(2), 1, 20, seed=7)
    marker = tmp_path / "fail-once"
    marker.touch()
    resource = FlakyLakehouse(
        root=str(tmp_path / "lake"),
        landing=str(landing),
        pii_key="test",
        marker=str(marker),
        failure=failure,
    )
    return dg.materialize(
        [landing_spec(ORDERS, str(landing)), build_bronze_asset(ORDERS, daily_partitions(START))],
        partition_key=days_ago(2).isoformat(),
        resources={"lakehouse": resource},
        raise_on_error=False,
    )


def _events(result: dg.ExecuteInProcessResult, event_type: dg.DagsterEventType) -> list:
    return [e for e in result.all_events if e.event_type == event_type]


def test_a_transient_storage_error_is_retried_and_the_asset_succeeds(tmp_path: Path) -> None:
    result = _run(tmp_path, "transient")
    assert result.success
    assert len(_events(result, dg.DagsterEventType.STEP_UP_FOR_RETRY)) == 1
    assert len(result.get_asset_materialization_events()) == 1


def test_bad_data_fails_at_once_without_retries(tmp_path: Path) -> None:
    result = _run(tmp_path, "bad data")
    assert not result.success
    assert _events(result, dg.DagsterEventType.STEP_UP_FOR_RETRY) == []
    [failure] = _events(result, dg.DagsterEventType.STEP_FAILURE)
    assert "LandingFileError: cannot read landing file" in failure.step_failure_data.error.message


def test_the_policy_backs_off_exponentially_with_jitter() -> None:
    policy = TRANSIENT_RETRY_POLICY
    assert policy.max_retries == 3
    assert policy.backoff == dg.Backoff.EXPONENTIAL and policy.jitter == dg.Jitter.PLUS_MINUS
    delays = [policy.calculate_delay(n) for n in (1, 2, 3)]
    assert 0 <= delays[0] <= 4 and 4 <= delays[1] <= 8 and 12 <= delays[2] <= 16


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (OSError("timeout"), True),
        (TimeoutError(), True),
        (CommitFailedError("concurrent append conflicts with this overwrite"), True),
        (LandingFileError("corrupt"), False),
        (KeyError("bug"), False),
    ],
)
def test_only_io_and_commit_conflicts_count_as_transient(
    error: BaseException, transient: bool
) -> None:
    assert is_transient(error) is transient


def test_an_error_raised_from_a_transient_one_is_transient() -> None:
    try:
        try:
            raise ConnectionResetError("reset")
        except OSError as cause:
            raise RuntimeError("write failed") from cause
    except RuntimeError as error:
        assert is_transient(error)
