"""Retry what is transient, fail fast on everything else, and say why in one line.

Object-store hiccups (``OSError``: timeouts, throttling, connection resets), Delta commit
conflicts and DuckDB I/O errors are retried by the step's ``RetryPolicy``, with exponential
backoff and jitter so parallel writers do not retry in lock-step. Storage errors no retry can
fix (credentials missing or refused, a missing bucket, access denied, a refused endpoint, an
invalid option; ``lake.errors.classify``) and any other error (bad data, a broken contract, a
bug) are re-raised as ``dg.Failure(allow_retries=False)`` whose description is the one-line
cause, so the run fails at once and its summary says what to fix. A transient error that
outlives the last retry fails the same way, with its cause instead of "Exceeded max_retries".
Whole runs that die outside a step (a lost worker) are retried by the instance's
``run_retries`` (``infra/dagster/dagster.dev.yaml``).

An interrupt (a stop signal, a termination from the UI) is never retried: Dagster applies an
op's retry policy to interrupts too, so a canceled step would otherwise start again.
"""

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import dagster as dg
import duckdb
from deltalake.exceptions import CommitFailedError

from lakehouse.lake.errors import classify, first_line, permanent_message

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
    """True if ``error`` or an error it was raised from is transient.

    A permanent storage error (``lake.errors``) is never transient, even as an ``OSError``.
    """
    if classify(error).permanent:
        return False
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, TRANSIENT_ERRORS):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def failure_description(error: BaseException) -> str:
    """The one-line cause of a failed step: the storage fix, or the error's type and message."""
    kind = classify(error)
    if kind.permanent:
        return permanent_message(error)
    return f"{type(error).__name__}: {first_line(str(error)) if str(error) else '(no message)'}"


def _last_attempt(args: tuple[Any, ...]) -> bool:
    """True if the step runs its last allowed attempt (its context is among ``args``)."""
    for arg in args:
        if isinstance(arg, dg.AssetExecutionContext | dg.OpExecutionContext):
            policy = arg.op_def.retry_policy or TRANSIENT_RETRY_POLICY
            return arg.retry_number >= policy.max_retries
    return False


@contextlib.contextmanager
def _transient_only(last_attempt: bool = False) -> Iterator[None]:
    """Let transient errors and Dagster's own through; raise anything else as a final failure.

    On the ``last_attempt`` a transient error is a final failure too, so the step's summary
    carries its cause rather than Dagster's "Exceeded max_retries".
    """
    try:
        yield
    except _PASS_THROUGH:
        raise
    except (KeyboardInterrupt, dg.DagsterExecutionInterruptedError) as interrupt:
        raise dg.Failure(
            description="Interrupted: the run was stopped or terminated; not retried.",
            metadata={"error_type": type(interrupt).__name__, "retried": False},
            allow_retries=False,
        ) from interrupt
    except Exception as error:
        transient = is_transient(error)
        if transient and not last_attempt:
            raise
        raise dg.Failure(
            description=failure_description(error),
            metadata={
                "error_type": type(error).__name__,
                "error_kind": str(classify(error)),
                "retried": transient,
            },
            allow_retries=False,
        ) from error


def retry_transient_only(fn: F) -> F:
    """Decorate an asset or op body: non-transient errors become non-retryable failures."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Any:
            with _transient_only(_last_attempt(args)):
                yield from fn(*args, **kwargs)

        return generator  # type: ignore[return-value]

    @functools.wraps(fn)
    def function(*args: Any, **kwargs: Any) -> Any:
        with _transient_only(_last_attempt(args)):
            return fn(*args, **kwargs)

    return function  # type: ignore[return-value]
