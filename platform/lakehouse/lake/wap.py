"""Write-audit-publish on Delta: audit a candidate, publish it in one commit, stage what is blocked.

The candidate is the Arrow table the publishing commit writes; auditing it before the commit
gives consumers the same guarantee as auditing a staged copy (they never see unaudited rows)
without writing and reading every partition twice. Blocked candidates are kept as Delta tables
under ``_staging`` so they can be inspected.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from deltalake.fs import DeltaStorageHandler

from lakehouse.lake.filesystems import filesystem_for
from lakehouse.lake.results import WriteResult
from lakehouse.lake.spool import Rows, as_written
from lakehouse.lake.store import DeltaStore
from lakehouse.lake.uris import is_local

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


def drop_staged(store: DeltaStore, key: Sequence[str]) -> None:
    """Delete a staging table, reaching object stores through deltalake (as its writes do).

    Unlike ``drop_table`` (pyarrow's S3 filesystem, configured by the store's options only),
    this honours the ``AWS_*`` environment that deltalake reads, which is how the dbt plugins
    reach S3. Does nothing if there is no Delta table at ``key``.
    """
    if not store.exists(key):
        return
    uri = store.uri(key)
    if is_local(uri):
        drop_table(store, key)
    else:
        handler = DeltaStorageHandler(uri, dict(store.storage_options) or None)
        handler.delete_dir("")  # every object under the table's prefix


def write_audit_publish(
    store: DeltaStore,
    key: Sequence[str],
    data: Rows,
    audit: Callable[[Rows], list[OutcomeT]],
    publish: Callable[[Rows], WriteResult],
) -> WapResult[OutcomeT]:
    """Audit the candidate ``data`` for ``key`` and publish it only if every blocking check passes.

    Consumers of ``key`` never see unaudited rows: the real table changes only in ``publish``,
    one Delta commit, after every blocking outcome passed. The audit reads the very rows that
    ``publish`` writes (an Arrow table, or a spool on local disk: ``lake.spool``), so a passing
    candidate is written once. A blocked candidate is
    written to ``_staging/<layer>/<table>`` for inspection (it stays until the next attempt),
    and a published one removes any earlier blocked candidate.
    """
    stage = staging_key(key)
    outcomes = audit(data)
    drop_table(store, stage)
    if any(o.blocking and not o.passed for o in outcomes):
        store.overwrite(stage, as_written(data))
        return WapResult(outcomes, None, store.uri(stage))
    return WapResult(outcomes, publish(data), store.uri(stage))
