"""dbt-duckdb plugin: marts materialised as ``external`` live in Delta tables, not in DuckDB.

Registered in ``dbt_project/profiles.yml`` under the alias ``delta_writer``. The project's
``external`` materialization and its on-run-start / on-run-end macros reach it through
``store`` (the one plugin hook a macro can call, via ``adapter.store_relation``);
``config["delta_action"]`` says what to do, write-audit-publish style:

- ``write``: read the DuckDB relation as Arrow and stage it as the mart's candidate, the Delta
  table at ``target_config.location.path`` (``<root>/_staging/gold/<mart>``); with the window
  ``min_date``..``max_date`` every row must lie in it (``writer.stage_mart``);
- ``attach``: make the relation a DuckDB view over a Delta table, so that ``ref()`` and tests
  read it: the published mart at the location, or with ``candidate`` the table that candidate
  would publish (``writer.open_candidate``). DuckDB cannot load its delta extension here,
  hence Arrow;
- ``publish``: commit the candidate ``candidate`` to the mart at the location (the window's
  days, or the whole table) and drop it (``writer.publish_mart``);
- ``discard``: drop the candidate at the location (``writer.discard_candidate``).
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
from lakehouse.gold.writer import (
    discard_candidate,
    open_candidate,
    open_mart,
    publish_mart,
    stage_mart,
)

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

    def load(self, source_config: SourceConfig) -> pads.Dataset | pa.Table:
        """The Delta table at ``delta_table_path`` as a pyarrow dataset, or with
        ``candidate_path`` the table that candidate would publish there."""
        meta = source_config.meta
        if meta.get("candidate_path"):
            return open_candidate(
                meta["candidate_path"],
                meta["delta_table_path"],
                partition_by=meta.get("partition_by") or None,
                window=DateWindow.from_vars(meta.get("min_date"), meta.get("max_date")),
                storage_options=self._storage_options,
            )
        return open_mart(meta["delta_table_path"], self._storage_options)

    def store(self, target_config: TargetConfig) -> None:
        """Stage, attach, publish or discard, as ``config["delta_action"]`` says."""
        if target_config.location is None:
            raise DeltaWriterError(f"{target_config.relation}: no Delta table location given")
        action = target_config.config.get("delta_action")
        actions = {
            "write": self._write,
            "attach": self._attach,
            "publish": self._publish,
            "discard": self._discard,
        }
        if action not in actions:
            raise DeltaWriterError(
                f"{target_config.relation}: delta_action={action!r}; expected one of "
                f"{', '.join(actions)}"
            )
        actions[action](target_config)

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
        result = stage_mart(
            uri,
            data,
            partition_by=partition_by,
            window=window if partition_by else None,
            storage_options=self._storage_options,
        )
        scope = f" for {result.window.start}..{result.window.end}" if result.window else ""
        logger.info(f"staged the candidate {uri}{scope}: {result.rows} rows")

    def _publish(self, target_config: TargetConfig) -> None:
        config = target_config.config
        uri = target_config.location.path  # type: ignore[union-attr]
        partition_by = config.get("partition_by") or None
        window = DateWindow.from_vars(config.get("min_date"), config.get("max_date"))
        result = publish_mart(
            config["candidate"],
            uri,
            partition_by=partition_by,
            window=window if partition_by else None,
            storage_options=self._storage_options,
        )
        scope = f" for {result.window.start}..{result.window.end}" if result.window else ""
        logger.info(
            f"published {uri}{scope} ({result.operation}): {result.rows} rows, "
            f"Delta version {result.version}"
        )

    def _discard(self, target_config: TargetConfig) -> None:
        discard_candidate(target_config.location.path, self._storage_options)  # type: ignore[union-attr]

    def _attach(self, target_config: TargetConfig) -> None:
        relation = target_config.relation
        config = target_config.config
        # A view over the re-registered Arrow data (the environment re-registers it on every
        # later cursor), not a copy: dbt-duckdb reads the materialization from the meta.
        meta = {
            "delta_table_path": target_config.location.path,  # type: ignore[union-attr]
            "materialization": "view",
        }
        if config.get("candidate"):
            meta |= {
                "candidate_path": config["candidate"],
                "partition_by": config.get("partition_by") or "",
                "min_date": config.get("min_date") or "",
                "max_date": config.get("max_date") or "",
            }
        source = SourceConfig(
            name=str(relation.identifier),
            identifier=str(relation.identifier),
            schema=str(relation.schema),
            database=relation.database,
            meta=meta,
            tags=[],
        )
        # The environment registers the data on every later cursor and creates the view.
        DuckDBConnectionManager.env().load_source(self.name, source)
