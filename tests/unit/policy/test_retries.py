"""Interrupts are final: a canceled step is not started again by the retry policy."""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from lakehouse.policy.retries import retry_transient_only


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, dg.DagsterExecutionInterruptedError])
def test_an_interrupted_step_fails_without_retry(interrupt: type[BaseException]) -> None:
    @retry_transient_only
    def body() -> None:
        raise interrupt()

    with pytest.raises(dg.Failure) as failed:
        body()
    assert failed.value.allow_retries is False
    assert isinstance(failed.value.__cause__, interrupt)


def test_an_interrupt_in_a_generator_step_fails_without_retry() -> None:
    @retry_transient_only
    def body() -> Iterator[int]:
        yield 1
        raise KeyboardInterrupt

    steps = body()
    assert next(steps) == 1
    with pytest.raises(dg.Failure) as failed:
        next(steps)
    assert failed.value.allow_retries is False


def test_a_transient_error_is_still_retried() -> None:
    @retry_transient_only
    def body() -> None:
        raise TimeoutError("read timed out")

    with pytest.raises(TimeoutError):
        body()


def test_a_step_interrupted_in_a_run_is_canceled_not_retried(tmp_path: Path) -> None:
    """Through Dagster itself: with a retry policy on the op, the interrupt is not retried."""
    attempts: list[int] = []

    @dg.asset(retry_policy=dg.RetryPolicy(max_retries=3))
    @retry_transient_only
    def interrupted(context: dg.AssetExecutionContext) -> None:
        attempts.append(context.retry_number)
        raise KeyboardInterrupt

    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        result = dg.materialize([interrupted], instance=instance, raise_on_error=False)
    assert not result.success
    assert attempts == [0]
