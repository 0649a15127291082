"""Discover the lakehouse's Delta tables and expose them to DuckDB as ``layer.table`` views."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
from deltalake import DeltaTable
from pyarrow import fs

from lakehouse.lake.filesystems import filesystem_for

LAYERS = ("bronze", "silver", "gold", "quarantine")


def discover_tables(root: str, storage_options: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{"silver.orders": uri}`` for every Delta table one level under each layer folder."""
    filesystem, base = filesystem_for(root, storage_options)
    tables: dict[str, str] = {}
    for layer in LAYERS:
        layer_path = f"{base.rstrip('/')}/{layer}"
        if filesystem.get_file_info(layer_path).type != fs.FileType.Directory:
            continue
        for entry in filesystem.get_file_info(fs.FileSelector(layer_path)):
            log = f"{entry.path}/_delta_log"
            if entry.type == fs.FileType.Directory and (
                filesystem.get_file_info(log).type == fs.FileType.Directory
            ):
                tables[f"{layer}.{entry.base_name}"] = (
                    f"{root.rstrip('/')}/{layer}/{entry.base_name}"
                )
    return dict(sorted(tables.items()))


def connect(
    root: str, storage_options: Mapping[str, str] | None = None
) -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    """An in-memory DuckDB connection with one view per lakehouse table, and the view names.

    Tables are read through deltalake's Arrow datasets (filters and partition pruning are
    pushed down); no DuckDB extension is needed.
    """
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    options = dict(storage_options or {})
    names = []
    for name, uri in discover_tables(root, options).items():
        layer, table = name.split(".", 1)
        dataset = DeltaTable(uri, storage_options=options or None).to_pyarrow_dataset()
        hidden = f"__{layer}__{table}"
        con.register(hidden, dataset)
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{layer}"')
        con.execute(f'CREATE OR REPLACE VIEW "{layer}"."{table}" AS SELECT * FROM "{hidden}"')
        names.append(name)
    return con, names
