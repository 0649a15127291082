"""How the store commits to its Delta tables: every data write goes through one call.

``TableCommits._write`` writes through the open table when there is one (so the new version
is ours), keeps min/max statistics to the table's restriction (``lake.stats``: no raw PII in
the log or the footers) and describes the commit as a ``WriteResult``. ``DeltaStore`` builds
its append, overwrite, partition and merge writes on it; restores are commits too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import CommitFailedError, DeltaError

from lakehouse.lake.reader import DeltaReader, Key, TableNotFoundError
from lakehouse.lake.results import WriteResult, describe_write
from lakehouse.lake.stats import restrict_stats


class TableCommits(DeltaReader):
    """The commits under ``DeltaStore``'s writes (use ``DeltaStore``)."""

    def _write(
        self,
        uri: str,
        table: DeltaTable | None,
        data: pa.Table,
        operation: str,
        counts: Mapping[str, int | None] | None = None,
        *,
        stats_columns: Sequence[str] | None = None,
        **write_args: Any,
    ) -> WriteResult:
        """Write through the open table if there is one (so its version is ours), else create.

        Min/max statistics are kept to ``stats_columns``, else to the table's own restriction.
        A create that finds the table created meanwhile by another writer lost a commit race
        (``CommitFailedError``): the store's retry runs the whole operation again on the table.
        """
        write_args.update(restrict_stats(table, stats_columns))
        before = table.version() if table is not None else None
        try:
            write_deltalake(
                table if table is not None else uri,
                data,
                storage_options=self._options(),
                **write_args,
            )
        except DeltaError as error:
            if table is None and "already exists" in str(error):
                raise CommitFailedError(f"{uri} was created by another writer: {error}") from error
            raise
        return describe_write(uri, table, before, operation, data, counts or {}, self._options())

    def restore(
        self, key: Key, version: int, metadata: Mapping[str, str]
    ) -> tuple[dict[str, Any], int]:
        """Restore the table to ``version`` as a new commit carrying ``metadata``.

        Only the store's own table is restored, never a branch's pinned base table.
        Returns deltalake's restore metrics and the new version.
        """
        table = self._open(self.uri(key))
        if table is None:
            raise TableNotFoundError(f"no Delta table at {self.uri(key)} to restore")
        properties = CommitProperties(custom_metadata=dict(metadata))
        metrics = table.restore(version, commit_properties=properties)
        return metrics, table.version()
