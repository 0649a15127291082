"""Retry what is transient, fail fast on everything else.

Object-store hiccups (``OSError``: timeouts, throttling, connection resets), Delta commit
conflicts and DuckDB I/O errors are retried by the step's ``RetryPolicy``, with exponential
backoff and jitter so parallel writers do not retry in lock-step. Any other error (bad data,
a broken contract, a bug) is re-raised as ``dg.Failure(allow_retries=False)``: retrying cannot
fix it, and the run fails at once with the reason. Whole runs that die outside a step (a lost
worker) are retried by the instance's ``run_retries`` (``infra/dagster/dagster.dev.yaml``).
"""

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import dagster as dg
import duckdb
from deltalake.exceptions import CommitFailedError

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    CommitFailedError,
    duckdb.IOException,
)
"""Errors a retry can fix: storage and network I/O, Delta commit conflicts."""

TRANSIENT_RETRY_POLICY = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
"""Up to 3 retries after about 2 s, 6 s and 14 s (each +/- 2 s)."""

F = TypeVar("F", bound=Callable[..., Any])
_PASS_THROUGH = (dg.Failure, dg.RetryRequested, dg.DagsterError)


def is_transient(error: BaseException) -> bool:
    """True if ``error`` or an error it was raised from is transient."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, TRANSIENT_ERRORS):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@contextlib.contextmanager
def _transient_only() -> Iterator[None]:
    """Let transient errors and Dagster's own through; raise anything else as a final failure."""
    try:
        yield
    except _PASS_THROUGH:
        raise
    except Exception as error:
        if is_transient(error):
            raise
        raise dg.Failure(
            description=f"{type(error).__name__}: {error}",
            metadata={"error_type": type(error).__name__, "retried": False},
            allow_retries=False,
        ) from error


def retry_transient_only(fn: F) -> F:
    """Decorate an asset or op body: non-transient errors become non-retryable failures."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Any:
            with _transient_only():
                yield from fn(*args, **kwargs)

        return generator  # type: ignore[return-value]

    @functools.wraps(fn)
    def function(*args: Any, **kwargs: Any) -> Any:
        with _transient_only():
            return fn(*args, **kwargs)

    return function  # type: ignore[return-value]
