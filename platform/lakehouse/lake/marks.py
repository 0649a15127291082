"""Commit marks: what a writer verified about the whole table its commit makes.

A check that reads a snapshot of a table and then commits to it (a fact's table-wide key
check before its partitions are replaced) records, in the commit's metadata, the snapshot it
read: ``<table id>@<version>``. The mark holds for the table the commit makes only when that
commit came straight after the snapshot (version + 1, the same table): a commit of another
writer in between, a retried write, a hand-made write, maintenance or a rollback each leave a
latest commit without a valid mark, and the next check reads the whole table again.
"""

from __future__ import annotations

from collections.abc import Mapping

from deltalake import DeltaTable

from lakehouse.lake.results import commit_actions

NEW_TABLE = "new"
"""The table id a mark records when the check found no table (its commit creates it)."""


def snapshot_mark(table: DeltaTable | None) -> str:
    """The mark of a check that read ``table`` at its loaded version (None: no table yet)."""
    if table is None:
        return f"{NEW_TABLE}@-1"
    return f"{table.metadata().id}@{table.version()}"


def carries(table: DeltaTable, name: str, storage_options: Mapping[str, str] | None) -> bool:
    """Whether the commit ``table`` is loaded at records under ``name`` the snapshot just
    before it, of this table: what that commit's writer checked is then the whole table."""
    version = table.version()
    try:
        actions = commit_actions(str(table.table_uri), version, storage_options)
    except OSError:  # the commit's log file was cleaned up: nothing to trust
        return False
    infos = [a["commitInfo"] for a in actions if "commitInfo" in a]
    mark = next((str(info[name]) for info in infos if name in info), None)
    if mark is None:
        return False
    expected = {f"{table.metadata().id}@{version - 1}"}
    if version == 0:
        expected.add(snapshot_mark(None))
    return mark in expected
