"""Reading the lakehouse's Delta tables: URIs, opening, Arrow datasets, filtered reads, history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError as DeltaTableNotFoundError

from lakehouse.lake.predicates import PartitionValue, partition_scalar
from lakehouse.lake.uris import key_parts, table_uri

Key = Sequence[str] | str


class TableNotFoundError(LookupError):
    """No Delta table exists at the URI of an asset key."""


class DeltaReader:
    """Delta tables under one lakehouse root, read-only; ``storage_options`` go to every call."""

    def __init__(self, root: str, storage_options: Mapping[str, str] | None = None) -> None:
        table_uri(root, ["probe"])  # validates the root early
        self.root = root
        self.storage_options: dict[str, str] = dict(storage_options or {})

    @classmethod
    def for_table(
        cls, uri: str, storage_options: Mapping[str, str] | None = None
    ) -> tuple[Self, list[str]]:
        """The store holding the table at ``uri`` (its parent folder) and the table's key."""
        parent, _, name = uri.rstrip("/").rpartition("/")
        return cls(parent, storage_options), [name]

    def _options(self) -> dict[str, str] | None:
        # A fresh copy each call: deltalake mutates the dict it is given.
        return dict(self.storage_options) or None

    def uri(self, key: Key) -> str:
        """URI of the table for ``key`` (``["silver", "orders"]`` -> ``<root>/silver/orders``)."""
        return table_uri(self.root, key)

    def exists(self, key: Key) -> bool:
        """True if a Delta table exists for ``key``."""
        return DeltaTable.is_deltatable(self.uri(key), self._options())

    def _open(self, uri: str) -> DeltaTable | None:
        try:
            return DeltaTable(uri, storage_options=self._options())
        except DeltaTableNotFoundError:
            return None

    def table(self, key: Key) -> DeltaTable:
        """Open the table for ``key``; raises ``TableNotFoundError`` if it does not exist."""
        uri = self.uri(key)
        table = self._open(uri)
        if table is None:
            raise TableNotFoundError(
                f"no Delta table at {uri} (asset key {'/'.join(key_parts(key))}): materialise that "
                "asset first, or check LAKEHOUSE_ROOT and the environment"
            )
        return table

    def dataset(self, key: Key) -> pads.Dataset:
        """The table as a pyarrow dataset (partition pruning and filter pushdown)."""
        return self.table(key).to_pyarrow_dataset()

    def read(
        self,
        key: Key,
        *,
        filter_column: str | None = None,
        filter_value: PartitionValue | None = None,
        columns: Sequence[str] | None = None,
    ) -> pa.Table:
        """Read the table as Arrow, optionally only rows with ``filter_column == filter_value``.

        The filter value is type-checked like a partition value; on a partition column only
        the matching partition's files are read. Raises ``TableNotFoundError``,
        ``PartitionPredicateError`` or ``ValueError`` (unknown column).
        """
        uri = self.uri(key)
        dataset = self.dataset(key)
        if columns is not None:
            unknown = [c for c in columns if c not in dataset.schema.names]
            if unknown:
                raise ValueError(f"columns {unknown} not in {uri} ({dataset.schema.names})")
        if filter_column is None:
            if filter_value is not None:
                raise ValueError("filter_value given without filter_column")
            return dataset.to_table(columns=list(columns) if columns is not None else None)
        scalar = partition_scalar(dataset.schema, filter_column, filter_value, table=uri)
        return dataset.to_table(
            columns=list(columns) if columns is not None else None,
            filter=pc.field(filter_column) == scalar,
        )

    def history(self, key: Key, limit: int | None = None) -> list[dict[str, Any]]:
        """Commit history, newest first (operation, parameters, metrics, version, timestamp)."""
        return self.table(key).history(limit)


def register_delta(
    con: duckdb.DuckDBPyConnection, name: str, table: DeltaTable | pads.Dataset
) -> None:
    """Register a Delta table (or its pyarrow dataset) as the DuckDB view ``name``.

    DuckDB's delta extension cannot be installed here, so DuckDB scans the Arrow dataset;
    filters in SQL are pushed down to it.
    """
    dataset = table.to_pyarrow_dataset() if isinstance(table, DeltaTable) else table
    con.register(name, dataset)
