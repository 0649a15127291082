"""Write one mart into its Delta table: replace a window of dates, or the whole table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.dataset as pads
from deltalake import DeltaTable
from deltalake.exceptions import SchemaMismatchError
from deltalake.exceptions import TableNotFoundError as DeltaTableNotFoundError

from lakehouse.gold.window import DateWindow, WindowError
from lakehouse.lake.checks import PartitionMismatchError
from lakehouse.lake.store import DeltaStore


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


def _options(storage_options: Mapping[str, str] | None) -> dict[str, str] | None:
    # A fresh copy per call: deltalake mutates the dict it is given.
    return dict(storage_options) if storage_options else None


def open_mart(uri: str, storage_options: Mapping[str, str] | None = None) -> pads.Dataset:
    """A mart's Delta table as a pyarrow dataset (DuckDB scans it with filter pushdown).

    Raises:
        MartNotFoundError: no Delta table at ``uri``.
    """
    try:
        table = DeltaTable(uri, storage_options=_options(storage_options))
    except DeltaTableNotFoundError:
        raise MartNotFoundError(
            f"no Delta table at {uri}: build that mart first (dbt build --select <mart>), "
            "or check LAKEHOUSE_ROOT"
        ) from None
    return table.to_pyarrow_dataset()


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
    store, key = DeltaStore.for_table(uri, storage_options)
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
