"""Write one mart into its Delta table: replace a window of dates, or the whole table.

Write-audit-publish: a build first stages its candidate (``stage_mart``) at
``<root>/_staging/gold/<mart>``; dbt tests read it (``open_candidate``); only a candidate whose
tests passed is published (``publish_mart``), in one commit to ``<root>/gold/<mart>``.

On a branch lakehouse (``<base>/_branches/<name>/...``) every table is reached through the
branch's store (``table_store``): a mart the branch has not built reads as the base's at its
pinned version, the first write to it copies that version in, and no write leaves the branch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
from deltalake.exceptions import SchemaMismatchError

from lakehouse.gold.window import DateWindow, WindowError
from lakehouse.lake.branch_store import BranchStore
from lakehouse.lake.checks import PartitionMismatchError
from lakehouse.lake.store import DeltaStore
from lakehouse.lake.wap import drop_staged


class MartNotFoundError(LookupError):
    """No Delta table exists where a mart should be."""


@dataclass(frozen=True)
class MartWrite:
    """What one mart write did."""

    uri: str
    operation: str  # "replace_window" | "overwrite"
    version: int
    rows: int
    window: DateWindow | None = None


_IN_BRANCH = re.compile(r"^(?P<root>.+/_branches/[a-z0-9_]+)/(?P<key>[a-z0-9_]+(/[a-z0-9_]+)*)$")


def table_store(
    uri: str, storage_options: Mapping[str, str] | None = None
) -> tuple[DeltaStore, list[str]]:
    """The store that reads and writes the table at ``uri``, and the table's key in it.

    A table inside a branch lakehouse gets the branch's ``BranchStore`` (reads fall back to
    the base at the pinned version; writes stay in the branch); any other its parent folder.
    """
    match = _IN_BRANCH.match(uri.rstrip("/"))
    if match:
        return BranchStore(match["root"], storage_options), match["key"].split("/")
    return DeltaStore.for_table(uri, storage_options)


def open_mart(uri: str, storage_options: Mapping[str, str] | None = None) -> pads.Dataset:
    """A mart's Delta table as a pyarrow dataset (DuckDB scans it with filter pushdown).

    Raises:
        MartNotFoundError: no Delta table at ``uri`` (on a branch: nor a pinned base one).
    """
    store, key = table_store(uri, storage_options)
    if not store.exists(key):
        raise MartNotFoundError(
            f"no Delta table at {uri}: build that mart first (dbt build --select <mart>), "
            "or check LAKEHOUSE_ROOT"
        )
    return store.dataset(key)


def write_mart(
    uri: str,
    data: pa.Table,
    *,
    partition_by: str | None = None,
    window: DateWindow | None = None,
    storage_options: Mapping[str, str] | None = None,
) -> MartWrite:
    """Write a mart's rows to the Delta table at ``uri`` in one commit, through the store.

    With ``window`` (needs ``partition_by``, a date column) only the rows whose
    ``partition_by`` lies in the window are replaced; every row of ``data`` must lie in it.
    Without it the whole table, schema and partitioning included, is replaced. A table that
    does not exist yet is created, partitioned by ``partition_by``.

    Raises:
        WindowError: a row lies outside the window, or a window is given without a column.
        ValueError: the existing table is partitioned differently, or its schema differs
            from ``data`` in a window build (rebuild the whole table then).
    """
    store, key = table_store(uri, storage_options)
    if window is None:
        result = store.overwrite(key, data, partition_by=[partition_by] if partition_by else [])
        return MartWrite(uri, "overwrite", result.version, data.num_rows, None)
    if partition_by is None:
        raise WindowError(f"{uri}: a window build needs the mart's partition column")
    window.check_rows(data, partition_by, uri)
    try:
        result = store.replace_range(key, data, partition_by, window.start, window.end)
    except PartitionMismatchError as exc:
        raise ValueError(
            f"{exc}; rebuild the whole table (no min_date/max_date vars) to change its partitioning"
        ) from None
    except SchemaMismatchError as exc:
        raise ValueError(
            f"{uri}: the mart's columns no longer match the table ({exc}); rebuild the whole "
            "table (no min_date/max_date vars) to change its schema"
        ) from exc
    return MartWrite(uri, "replace_window", result.version, data.num_rows, window)


def stage_mart(
    uri: str,
    data: pa.Table,
    *,
    partition_by: str | None = None,
    window: DateWindow | None = None,
    storage_options: Mapping[str, str] | None = None,
) -> MartWrite:
    """Write a mart's candidate to the staging table at ``uri`` (replacing any earlier one).

    With ``window`` every row must lie in it (checked here, so a bad build fails before its
    tests): the candidate then holds only the window's rows, which publishing replaces.

    Raises:
        WindowError: a row lies outside the window, or a window is given without a column.
    """
    if window is not None:
        if partition_by is None:
            raise WindowError(f"{uri}: a window build needs the mart's partition column")
        window.check_rows(data, partition_by, uri)
    store, key = table_store(uri, storage_options)
    result = store.overwrite(key, data, partition_by=[partition_by] if partition_by else [])
    return MartWrite(uri, "stage", result.version, data.num_rows, window)


def open_candidate(
    candidate_uri: str,
    published_uri: str,
    *,
    partition_by: str | None = None,
    window: DateWindow | None = None,
    storage_options: Mapping[str, str] | None = None,
) -> pa.Table:
    """The table a candidate would publish: the candidate, plus (window builds) the published
    rows outside the window. dbt tests and downstream ``ref()``s of this run read it.

    Raises:
        MartNotFoundError: no candidate at ``candidate_uri``.
        ValueError: the candidate's columns differ from the published table's in a window build.
    """
    candidate = open_mart(candidate_uri, storage_options).to_table(use_threads=False)
    store, key = table_store(published_uri, storage_options)
    if window is None or partition_by is None or not store.exists(key):
        return candidate
    published = open_mart(published_uri, storage_options)
    column = pc.field(partition_by)
    outside = (column < window.start) | (column > window.end)
    kept = published.to_table(filter=outside, use_threads=False)
    if [(f.name, f.type) for f in kept.schema] != [(f.name, f.type) for f in candidate.schema]:
        raise ValueError(
            f"{published_uri}: the mart's columns no longer match the table (table: "
            f"{kept.schema.names}, build: {candidate.schema.names}); rebuild the whole table "
            "(no min_date/max_date vars) to change its schema"
        )
    return pa.concat_tables([kept, candidate.cast(kept.schema)])


def publish_mart(
    candidate_uri: str,
    uri: str,
    *,
    partition_by: str | None = None,
    window: DateWindow | None = None,
    storage_options: Mapping[str, str] | None = None,
) -> MartWrite:
    """Publish the staged candidate at ``candidate_uri`` to the mart at ``uri`` in one commit
    (``write_mart``: the window's days, or the whole table), then drop the candidate.

    Raises what ``open_mart`` and ``write_mart`` raise; the candidate stays on failure.
    """
    data = open_mart(candidate_uri, storage_options).to_table(use_threads=False)
    result = write_mart(
        uri, data, partition_by=partition_by, window=window, storage_options=storage_options
    )
    discard_candidate(candidate_uri, storage_options)
    return result


def discard_candidate(uri: str, storage_options: Mapping[str, str] | None = None) -> None:
    """Delete the staged candidate at ``uri``, if there is one."""
    store, key = table_store(uri, storage_options)
    drop_staged(store, key)
