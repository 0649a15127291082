"""Partitions one table shares with another: the files linked, not encoded again.

A fact's history and its current table hold the same rows for a landing day whose keys no
other day touches (``silver.facts``): encoding them twice was the largest cost of a big day's
silver step after the split. Here the files one commit of the source table added are
hard-linked into a staging folder of the target (a copy where the filesystem refuses links;
a server-side copy on an object store) and committed there in one transaction that replaces
the partitions, with the statistics the source recorded. Each table then names its own files:
vacuuming one never removes the other's, and a data file is never changed in place.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote

import pyarrow as pa
from deltalake import DeltaTable
from deltalake.transaction import AddAction

from lakehouse.lake.chunked import StagedFiles, commit_staged, drop_under
from lakehouse.lake.filesystems import filesystem_for
from lakehouse.lake.results import commit_actions
from lakehouse.lake.staging import staging_folder
from lakehouse.lake.stats import STATS_COLUMNS
from lakehouse.lake.uris import is_local


def alike(source: DeltaTable, target: DeltaTable | None) -> bool:
    """Whether files of ``source`` can be ``target``'s as they are: the same schema and the
    same statistics columns (a new target takes the source's)."""
    if target is None:
        return True
    own, theirs = source.metadata().configuration, target.metadata().configuration
    same_schema = pa.schema(source.schema().to_arrow()) == pa.schema(target.schema().to_arrow())
    return same_schema and own.get(STATS_COLUMNS) == theirs.get(STATS_COLUMNS)


def added_files(
    uri: str, version: int, column: str, values: Sequence[str], options: dict[str, str] | None
) -> list[dict[str, Any]]:
    """The add actions commit ``version`` of the table at ``uri`` made in the partitions
    ``column in values`` (paths relative to the table)."""
    adds = [a["add"] for a in commit_actions(uri, version, options) if "add" in a]
    wanted = set(values)
    chosen = [a for a in adds if (a.get("partitionValues") or {}).get(column) in wanted]
    for add in chosen:
        path = str(add["path"])
        if "://" in path or path.startswith("/"):
            raise ValueError(f"{uri} version {version} adds {path}: not a file of the table")
    return chosen


def rows_of(adds: Sequence[Mapping[str, Any]]) -> int | None:
    """The rows the files of ``adds`` hold, from their statistics (None if one has none)."""
    total = 0
    for add in adds:
        records = json.loads(add.get("stats") or "{}").get("numRecords")
        if records is None:
            return None
        total += int(records)
    return total


def _link(source: str, target: str, options: dict[str, str] | None) -> None:
    """``target`` names the bytes of ``source``: a hard link, else a copy (server-side on an
    object store)."""
    if is_local(source):
        source, target = source.removeprefix("file://"), target.removeprefix("file://")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(source, target)
        except OSError:  # another device, or a filesystem without hard links
            shutil.copyfile(source, target)
        return
    filesystem, _ = filesystem_for(source, options)
    filesystem.copy_file(source.removeprefix("s3://"), target.removeprefix("s3://"))


def link_partitions(
    source_uri: str,
    source: DeltaTable,
    adds: Sequence[Mapping[str, Any]],
    target_uri: str,
    target: DeltaTable | None,
    column: str,
    values: Sequence[str],
    options: dict[str, str] | None,
    metadata: Mapping[str, str],
) -> None:
    """Replace the partitions ``column in values`` of the table at ``target_uri`` (``target``,
    or a new table) with the files ``adds`` of ``source`` (the table at ``source_uri``, opened
    at the version that added them: ``added_files``), in one commit recording ``metadata``;
    ``target`` ends at that commit.

    ``values`` are the partitions as Delta records them (a date as ``YYYY-MM-DD``). Check
    ``alike`` first. On a failure before the commit the staging folder is removed and
    nothing is committed; a commit to the target since ``target``'s version that changed
    those partitions raises ``CommitFailedError`` (the store's retry links again).
    """
    source_uri = source_uri.rstrip("/")
    folder = staging_folder()
    staging = f"{target_uri.rstrip('/')}/{folder}"
    actions = []
    staged: StagedFiles | None = None
    try:
        for add in adds:
            path = unquote(str(add["path"]))  # the log's path is percent-encoded
            _link(f"{source_uri}/{path}", f"{staging}/{path}", options)
            partition = dict(add.get("partitionValues") or {})
            stats = str(add.get("stats") or "")
            when, size = int(add["modificationTime"]), int(add["size"])
            actions.append(AddAction(f"{folder}/{path}", size, partition, when, True, stats))
        own = source.metadata().configuration.get(STATS_COLUMNS)
        configuration = {STATS_COLUMNS: own} if own is not None else None
        schema = pa.schema(source.schema().to_arrow())
        staged = StagedFiles(folder, actions, schema, configuration)
        commit_staged(target_uri, target, staged, column, values, options, metadata)
    except BaseException:
        if staged is None or not staged.committed:  # else the files are the target's now
            drop_under(staging, "", options)
        raise
