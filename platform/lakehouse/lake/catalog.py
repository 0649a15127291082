"""Discover the lakehouse's Delta tables and expose them to DuckDB as ``layer.table`` views.

The connection :func:`connect` returns is the analysts' sandbox (``lake.sandbox``): it reads
the registered tables of the allowed layers and nothing else. On a branch root it shows the
branch's own tables and, for the others, the base's at the versions the branch pinned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb
from pyarrow import fs

from lakehouse.lake.filesystems import filesystem_for
from lakehouse.lake.reader import DeltaReader
from lakehouse.lake.retry import with_retry_bounds
from lakehouse.lake.sandbox import ANALYST_LAYERS, lock_down

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
    root: str,
    storage_options: Mapping[str, str] | None = None,
    *,
    layers: Sequence[str] = ANALYST_LAYERS,
) -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    """A locked-down in-memory DuckDB connection with one view per table, and the view names.

    Only tables of ``layers`` are registered (silver, gold and quarantine by default; bronze
    needs ``lake.sandbox.layers_for(env, engineer=True)``). Tables are read through deltalake's
    Arrow datasets (filters and partition pruning are pushed down); once they are registered
    the connection can reach no file, URL, extension, setting or other table
    (``lake.sandbox.lock_down``). The storage options are used to open the datasets and are
    not reachable from SQL.
    """
    unknown = sorted(set(layers) - set(LAYERS))
    if unknown:
        raise ValueError(f"unknown layers {unknown}; the lakehouse has {', '.join(LAYERS)}")
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    names = []
    reader = DeltaReader(root, with_retry_bounds(root, storage_options))
    found = set(discover_tables(root, storage_options))
    found |= {t.replace("/", ".") for t in reader.branch_pins().get("tables", {})}
    for name in sorted(found):
        layer, table = name.split(".", 1)
        if layer not in layers:
            continue
        # The branch's own table, else (on a branch) the base's at its pinned version.
        dataset = reader.dataset([layer, table])
        hidden = f"__{layer}__{table}"
        con.register(hidden, dataset)
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{layer}"')
        con.execute(f'CREATE OR REPLACE VIEW "{layer}"."{table}" AS SELECT * FROM "{hidden}"')
        names.append(name)
    lock_down(con)
    return con, names
