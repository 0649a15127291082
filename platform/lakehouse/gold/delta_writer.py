"""dbt-duckdb plugin: marts materialised as ``external`` live in Delta tables, not in DuckDB.

Registered in ``dbt_project/profiles.yml`` under the alias ``delta_writer``. The project's
``external`` materialization and its ``register_upstream_external_models`` macro reach it
through ``store`` (the one plugin hook a macro can call, via ``adapter.store_relation``);
``config["delta_action"]`` says what to do with ``target_config.relation``:

- ``write``: read the DuckDB relation as Arrow and write it to the Delta table at
  ``target_config.location.path``, replacing the window ``min_date``..``max_date`` of the
  ``partition_by`` column, or the whole table when no window is given (``writer.write_mart``);
- ``attach``: make the relation a DuckDB view over the Delta table's pyarrow dataset, so that
  ``ref()`` to a mart reads its Delta table, whether it was written earlier in this run or
  not selected at all. DuckDB cannot load its delta extension here, hence the Arrow dataset.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig, TargetConfig
from dbt.adapters.events.logging import AdapterLogger

from lakehouse.gold.window import DateWindow
from lakehouse.gold.writer import open_mart, write_mart

logger = AdapterLogger("DeltaWriter")


class DeltaWriterError(RuntimeError):
    """The plugin was called without what it needs (connection, location, action)."""


def _non_empty(options: Mapping[str, Any] | None) -> dict[str, str]:
    """Storage options without unset entries (profiles render unset env vars as '')."""
    return {str(k): str(v) for k, v in (options or {}).items() if v not in (None, "")}


class Plugin(BasePlugin):
    """Writes ``external`` marts to Delta with deltalake; attaches Delta tables as views."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        """Keep the storage options (else deltalake reads AWS_* from the environment)."""
        self._storage_options = _non_empty(plugin_config.get("storage_options"))
        self._conn: duckdb.DuckDBPyConnection | None = None

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        """Remember dbt's DuckDB database, to read the relations handed to ``store``."""
        self._conn = conn

    def default_materialization(self) -> str:
        """Attached Delta tables are views over a re-registered Arrow dataset."""
        return "view"

    def load(self, source_config: SourceConfig) -> pads.Dataset:
        """The Delta table at ``delta_table_path`` as a pyarrow dataset."""
        return open_mart(source_config["delta_table_path"], self._storage_options)

    def store(self, target_config: TargetConfig) -> None:
        """Write the relation to Delta, or attach the Delta table as the relation."""
        if target_config.location is None:
            raise DeltaWriterError(f"{target_config.relation}: no Delta table location given")
        action = target_config.config.get("delta_action")
        if action == "write":
            self._write(target_config)
        elif action == "attach":
            self._attach(target_config)
        else:
            raise DeltaWriterError(
                f"{target_config.relation}: delta_action={action!r}; expected 'write' or 'attach'"
            )

    def _read(self, relation: object) -> pa.Table:
        if self._conn is None:
            raise DeltaWriterError("the DuckDB connection is not configured yet")
        cursor = self._conn.cursor()
        try:
            cursor.execute("set TimeZone = 'UTC'")
            return cursor.sql(f"select * from {relation}").to_arrow_table()
        finally:
            cursor.close()

    def _write(self, target_config: TargetConfig) -> None:
        config = target_config.config
        uri = target_config.location.path  # type: ignore[union-attr]
        partition_by = config.get("partition_by") or None
        window = DateWindow.from_vars(config.get("min_date"), config.get("max_date"))
        data = self._read(target_config.relation)
        result = write_mart(
            uri,
            data,
            partition_by=partition_by,
            window=window if partition_by else None,
            storage_options=self._storage_options,
        )
        scope = f" for {window.start}..{window.end}" if result.window else ""
        logger.info(
            f"{result.operation} {uri}{scope}: {result.rows} rows, Delta version {result.version}"
        )

    def _attach(self, target_config: TargetConfig) -> None:
        relation = target_config.relation
        source = SourceConfig(
            name=str(relation.identifier),
            identifier=str(relation.identifier),
            schema=str(relation.schema),
            database=relation.database,
            meta={"delta_table_path": target_config.location.path},  # type: ignore[union-attr]
            tags=[],
        )
        # The environment registers the dataset on every later cursor and creates the view.
        DuckDBConnectionManager.env().load_source(self.name, source)
