"""Retry Delta writes that lose a commit race: exponential backoff with jitter, never silent.

delta-rs already rebases a plain append onto newer versions a few times; a write still fails
with ``CommitFailedError`` when its retries run out under heavy contention or when a concurrent
commit really conflicts with it (two replacements of one partition, a merge over rows another
writer changed, two writers creating one table). Such a failure means nothing was committed,
so the whole operation (open the table, check, write) is safe to run again on the new
version. Every retry is logged; after the last attempt the error is raised, never swallowed.
Other errors (schema, I/O, bad input) are raised at once: retrying them cannot help, and
retrying an ambiguous I/O error could commit the same rows twice. A storage error no retry can
fix (credentials, a missing bucket, a dead endpoint; see ``lake.errors``) is raised as a
``PermanentStorageError`` whose one-line message names what to set.

The object store client inside deltalake retries every request on its own (10 times within
180 s by default); :data:`OBJECT_STORE_RETRY_BOUNDS` are the tighter limits the platform uses.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from deltalake.exceptions import CommitFailedError

from lakehouse.lake.errors import storage_failure

T = TypeVar("T")
log = logging.getLogger(__name__)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (CommitFailedError,)
"""Errors that mean "the commit lost a race and nothing was written"."""


OBJECT_STORE_RETRY_BOUNDS: dict[str, str] = {"max_retries": "3", "retry_timeout": "30s"}
"""deltalake storage options bounding its client's own request retries (object_store keys)."""


def with_retry_bounds(uri: str, storage_options: Mapping[str, str] | None) -> dict[str, str]:
    """``storage_options`` plus :data:`OBJECT_STORE_RETRY_BOUNDS` for an ``s3://`` ``uri``.

    Values already set win; local paths get the options unchanged.
    """
    options = dict(storage_options or {})
    if uri.lower().startswith("s3://"):
        return {**OBJECT_STORE_RETRY_BOUNDS, **options}
    return options


class CommitConflictError(RuntimeError):
    """A write lost its commit race on every attempt; none of its attempts was committed."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a conflicting commit is retried."""

    attempts: int = 8
    base_delay: float = 0.1
    max_delay: float = 8.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError(f"invalid retry policy {self}: need attempts >= 1, 0 <= base <= max")

    def delay(self, retry: int, draw: float) -> float:
        """Seconds to wait before retry number ``retry`` (1, 2, ...), for ``draw`` in [0, 1).

        The ceiling doubles per retry up to ``max_delay``; the wait is half the ceiling plus a
        random part of the other half, so racing writers spread out but always back off.
        """
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return ceiling / 2 * (1 + draw)


DEFAULT_POLICY = RetryPolicy()


def with_commit_retries(
    write: Callable[[], T],
    *,
    table: str,
    operation: str,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], None] = time.sleep,
    draw: Callable[[], float] = random.random,
    storage_options: Mapping[str, str] | None = None,
) -> T:
    """Run ``write`` until it commits, retrying ``TRANSIENT_ERRORS`` with backoff and jitter.

    Raises:
        CommitConflictError: every one of ``policy.attempts`` attempts lost its commit race;
            the last ``CommitFailedError`` is its cause.
        PermanentStorageError: the storage refused the write for good (credentials, bucket,
            endpoint, configuration); the original error is its cause. ``storage_options``
            only name the endpoint and region in its message.
    """
    for attempt in range(1, policy.attempts + 1):
        try:
            return write()
        except Exception as exc:
            if not isinstance(exc, TRANSIENT_ERRORS):
                permanent = storage_failure(exc, storage_options)
                if permanent is not None:
                    raise permanent from exc
                raise
            if attempt == policy.attempts:
                raise CommitConflictError(
                    f"{operation} on {table} lost its commit race {attempt} times in a row "
                    f"(last: {exc}); nothing was committed. Re-run it; if this repeats, check "
                    "that one writer per table holds (concurrency pool delta_<layer>_<table>)."
                ) from exc
            wait = policy.delay(attempt, draw())
            log.warning(
                "commit conflict on %s (%s, attempt %d of %d): %s; retrying in %.3f s",
                table,
                operation,
                attempt,
                policy.attempts,
                exc,
                wait,
            )
            sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")


def retry_commits(method: Callable[..., T]) -> Callable[..., T]:
    """Decorate a ``DeltaStore`` write method ``(self, key, ...)`` with commit retries.

    Each attempt runs the whole method again, so it reopens the table at its newest version
    and re-checks its input. The store's ``retry_policy`` attribute sets the policy.
    """

    @functools.wraps(method)
    def wrapper(self: Any, key: Any, *args: Any, **kwargs: Any) -> T:
        return with_commit_retries(
            lambda: method(self, key, *args, **kwargs),
            table=self.uri(key),
            operation=method.__name__,
            policy=getattr(self, "retry_policy", DEFAULT_POLICY),
            storage_options=getattr(self, "storage_options", None),
        )

    return wrapper
