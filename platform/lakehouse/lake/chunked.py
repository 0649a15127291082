"""A streamed partition replace in bounded chunks, committed once.

delta-rs takes a stream faster than it writes it and keeps what it has not written yet: a
fast producer (a day read back from local disk) had a 40 M-row write hold 7.5 GB. Here each
chunk of ``CHUNK_ROWS`` rows is one delta-rs write into a staging table inside the target's
folder (``streamed-<host>-<pid>-<uuid>/``, ``lake/staging.py``), and the files those writes
made are then committed to the target in one transaction that replaces the partitions:
readers see the whole day or none of it, as with one write. The commit records the replaced
partitions' predicate and the rows added as ``lakehouse.*`` metadata (a transaction has no
operation parameters or metrics of its own). The staging table's log is deleted after the
commit, the whole staging folder when anything fails (its files were never committed); the
logs that killed writers left are swept by the table's next chunked write.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, Schema, write_deltalake
from deltalake.exceptions import CommitFailedError
from deltalake.fs import DeltaStorageHandler
from deltalake.transaction import AddAction, RemoveAction, create_table_with_add_actions

from lakehouse.lake.filesystems import filesystem_for
from lakehouse.lake.results import commit_actions
from lakehouse.lake.staging import staging_folder, sweep_dead_staging
from lakehouse.lake.stats import STATS_COLUMNS
from lakehouse.lake.uris import is_local

CHUNK_ROWS = 1_000_000
"""Rows handed to delta-rs per write (~150 MB of a wide silver table)."""


PREDICATE = "lakehouse.predicate"
"""Commit metadata naming the partitions a chunked write replaced (its ``predicate``)."""
ADDED_ROWS = "lakehouse.num_added_rows"
"""Commit metadata: the rows a chunked write added."""
STAGING = "lakehouse.staging"
"""Commit metadata: the staging folder of a chunked write (finds its version)."""


def _chunks(reader: pa.RecordBatchReader, rows: int) -> Iterator[pa.Table]:
    held: list[pa.RecordBatch] = []
    count = 0
    for batch in reader:
        held.append(batch)
        count += batch.num_rows
        if count >= rows:
            yield pa.Table.from_batches(held, reader.schema)
            held, count = [], 0
    if held:
        yield pa.Table.from_batches(held, reader.schema)


def _staged_adds(staging: str, folder: str, options: dict[str, str] | None) -> list[AddAction]:
    """The add actions of every commit of the staging table, their paths made relative to the
    target (the staging table lives in the target's folder)."""
    version = DeltaTable(staging, storage_options=options).version()
    adds = []
    for v in range(version + 1):
        for action in commit_actions(staging, v, options):
            if add := action.get("add"):
                # The log's path is percent-encoded; an add action takes it plain.
                path, size, when = (
                    f"{folder}/{unquote(add['path'])}",
                    int(add["size"]),
                    add["modificationTime"],
                )
                values, stats = add["partitionValues"], add.get("stats") or ""
                adds.append(AddAction(path, size, values, int(when), True, stats))
    return adds


def _check_unchanged(
    uri: str, table: DeltaTable, column: str, values: Sequence[str], options: dict[str, str] | None
) -> None:
    """Raise ``CommitFailedError`` when a commit since ``table``'s version added or removed
    files of the partitions replaced: a transaction detects no such conflict itself (the
    store's retry then runs the whole write again on the newer table)."""
    latest = DeltaTable(uri, storage_options=options).version()
    wanted = set(values)
    for version in range(table.version() + 1, latest + 1):
        for action in commit_actions(uri, version, options):
            change = action.get("add") or action.get("remove") or {}
            if (change.get("partitionValues") or {}).get(column) in wanted:
                raise CommitFailedError(
                    f"{uri}: version {version} changed a partition this write replaces"
                )


def _own_version(
    table: DeltaTable, uri: str, before: int, marker: str, options: dict[str, str] | None
) -> None:
    """Move ``table`` to the version its transaction committed (found by ``marker``), not to
    a later writer's."""
    table.update_incremental()
    for version in range(before + 1, table.version() + 1):
        infos = [
            a["commitInfo"] for a in commit_actions(uri, version, options) if "commitInfo" in a
        ]
        if any(info.get(STAGING) == marker for info in infos):
            if version != table.version():
                table.load_as_version(version)
            return


def drop_under(staging: str, path: str, options: dict[str, str] | None) -> None:
    """Delete ``path`` under the staging folder (all of it for ``""``), never raising: what is
    left is unreferenced and vacuumed later."""
    with contextlib.suppress(Exception):
        if is_local(staging):
            files, root = filesystem_for(staging, options)
            files.delete_dir(f"{root}/{path}" if path else root)
        else:
            DeltaStorageHandler(staging, options=options).delete_dir(path)


@dataclass
class StagedFiles:
    """Data files written (or linked) into a staging folder of a table, and whether a commit
    took them (from then on they are the table's: a failure after it must not remove them)."""

    folder: str
    """The staging folder's name inside the table's folder (``lake.staging``)."""
    adds: list[AddAction]
    """Their add actions, paths relative to the table."""
    schema: pa.Schema
    configuration: Mapping[str, str | None] | None = None
    """The table properties of a table the commit creates."""
    committed: bool = False


def commit_staged(
    uri: str,
    table: DeltaTable | None,
    staged: StagedFiles,
    column: str,
    values: Sequence[str],
    options: dict[str, str] | None,
    metadata: Mapping[str, str],
) -> None:
    """Commit ``staged`` to the table at ``uri`` in one transaction that replaces the partitions
    ``column in values`` (creating the table, partitioned by ``column``, when ``table`` is
    None), recording ``metadata`` and the staging folder; ``table`` ends at that commit, and
    ``staged.committed`` is set as soon as it landed. A commit since ``table``'s version that
    changed those partitions raises ``CommitFailedError``."""
    properties = CommitProperties(custom_metadata={**metadata, STAGING: staged.folder})
    if table is None:
        create_table_with_add_actions(
            uri,
            Schema.from_arrow(staged.schema),
            staged.adds,
            partition_by=[column],
            configuration=staged.configuration,
            storage_options=options,
            commit_properties=properties,
        )
        staged.committed = True
        return
    # The table's own schema when the columns are its own: no schema change in the log.
    same = set(staged.schema.names) == set(table.schema().to_arrow().names)
    schema = table.schema() if same else Schema.from_arrow(staged.schema)
    before = table.version()
    _check_unchanged(uri, table, column, values, options)
    actions: list[AddAction | RemoveAction] = [*staged.adds]
    table.create_write_transaction(
        actions,
        mode="overwrite",
        schema=schema,
        partition_by=[column],
        partition_filters=[(column, "in", list(values))],
        commit_properties=properties,
    )
    staged.committed = True
    _own_version(table, uri, before, staged.folder, options)


def replace_in_chunks(
    uri: str,
    table: DeltaTable | None,
    reader: pa.RecordBatchReader,
    column: str,
    values: Sequence[str],
    options: Mapping[str, str] | None,
    write_args: Mapping[str, Any],
    before_commit: Callable[[], object] | None = None,
) -> None:
    """Replace the partitions ``column in values`` of the table at ``uri`` (``table``, or a
    new table) with ``reader``'s rows, written a chunk at a time, committed once.

    ``values`` are the partitions as Delta records them (a date as ``YYYY-MM-DD``);
    ``write_args`` carry the write's ``writer_properties``, for a new table its
    ``configuration``, and ``commit_properties`` whose metadata the commit records. What
    ``reader`` raises stops the write with nothing committed. ``before_commit`` runs once the
    files are written, before the commit: what it raises stops the write the same way (the
    commit of another table that must land first, written meanwhile).
    """
    storage = dict(options) if options else None
    if table is not None:
        sweep_dead_staging(uri, storage)
    folder = staging_folder()
    staging = f"{uri.rstrip('/')}/{folder}"
    configuration = write_args.get("configuration")
    if configuration is None and table is not None:  # the staging files' stats as the table's
        own = table.metadata().configuration.get(STATS_COLUMNS)
        configuration = {STATS_COLUMNS: own} if own is not None else None
    written = False
    staged: StagedFiles | None = None
    rows = 0

    def write(chunk: pa.Table) -> None:
        write_deltalake(
            staging,
            chunk,
            mode="append",
            partition_by=[column],
            writer_properties=write_args["writer_properties"],
            configuration=configuration,
            storage_options=storage,
        )

    try:
        # One chunk is written (delta-rs, off the GIL) while the next is read or parsed: the
        # producer and the writer each keep a core busy, one chunk more is held.
        with ThreadPoolExecutor(1, thread_name_prefix="chunk-writer") as writer:
            pending: Future[None] | None = None
            try:
                for chunk in _chunks(reader, CHUNK_ROWS):
                    if pending is not None:
                        pending.result()
                    written = True
                    rows += chunk.num_rows
                    pending = writer.submit(write, chunk)
                    del chunk  # else held here while the next one is built: three at once
            except BaseException:
                if pending is not None:  # the write in flight ends before the cleanup; the
                    wait([pending])  # producer's error is the one raised
                raise
            if pending is not None:
                pending.result()
        if before_commit is not None:
            before_commit()
        adds = _staged_adds(staging, folder, storage) if written else []
        asked = write_args.get("commit_properties")
        described = {
            **((asked.custom_metadata or {}) if asked is not None else {}),
            PREDICATE: str(write_args.get("predicate", "")),
            ADDED_ROWS: str(rows),
        }
        staged = StagedFiles(folder, adds, reader.schema, write_args.get("configuration"))
        commit_staged(uri, table, staged, column, values, storage, described)
    finally:
        if written:
            committed = staged is not None and staged.committed
            drop_under(staging, "_delta_log" if committed else "", storage)
