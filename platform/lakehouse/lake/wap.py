"""Write-audit-publish on Delta: stage a partition, audit it, then publish it in one commit."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import pyarrow as pa

from lakehouse.lake.filesystems import filesystem_for
from lakehouse.lake.results import WriteResult
from lakehouse.lake.store import DeltaStore

STAGING = "_staging"


class Outcome(Protocol):
    """What an audit returns per check."""

    @property
    def passed(self) -> bool: ...

    @property
    def blocking(self) -> bool: ...


OutcomeT = TypeVar("OutcomeT", bound=Outcome)


@dataclass(frozen=True)
class WapResult(Generic[OutcomeT]):
    """The audit's outcomes and, when every blocking check passed, the publishing write."""

    outcomes: list[OutcomeT]
    published: WriteResult | None
    staging_uri: str

    @property
    def blocked(self) -> bool:
        """True when a blocking check failed and nothing was published."""
        return self.published is None


def staging_key(key: Sequence[str]) -> list[str]:
    """Where a table's candidate partition is staged: ``_staging/<layer>/<table>``."""
    return [STAGING, *key]


def drop_table(store: DeltaStore, key: Sequence[str]) -> None:
    """Delete a (staging) table's folder and log, if it exists."""
    filesystem, path = filesystem_for(store.uri(key), store.storage_options)
    with contextlib.suppress(FileNotFoundError):
        filesystem.delete_dir(path)


def write_audit_publish(
    store: DeltaStore,
    key: Sequence[str],
    data: pa.Table,
    audit: Callable[[pa.Table], list[OutcomeT]],
    publish: Callable[[pa.Table], WriteResult],
) -> WapResult[OutcomeT]:
    """Stage ``data`` as a Delta table, audit what was staged, and publish only if it passes.

    Consumers of ``key`` never see unaudited rows: the real table changes only in
    ``publish``, one Delta commit, after every blocking outcome passed. A blocked candidate
    stays in staging for inspection until the next attempt replaces it.
    """
    stage = staging_key(key)
    drop_table(store, stage)
    store.overwrite(stage, data)
    staged = store.read(stage)
    outcomes = audit(staged)
    if any(o.blocking and not o.passed for o in outcomes):
        return WapResult(outcomes, None, store.uri(stage))
    published = publish(staged)
    drop_table(store, stage)
    return WapResult(outcomes, published, store.uri(stage))
