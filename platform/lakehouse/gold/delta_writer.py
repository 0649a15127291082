"""dbt-duckdb plugin: the lakehouse's Delta tables as dbt sources, and marts written to Delta.

Registered in ``dbt_project/profiles.yml`` under the alias ``lakehouse``. Every location it is
given is a table key (``gold/orders_daily``, ``_staging/gold/orders_daily``), joined with the
run's lakehouse root (``run_context``); on a branch root, tables resolve through the branch
(``writer.table_store``). A source declared with ``plugin: lakehouse`` is the Delta table
``<root>/<schema>/<table>`` (on a branch: its own, else the base's at the pinned version).

The project's ``external`` materialization and its on-run-start / on-run-end macros reach it
through ``store`` (the one plugin hook a macro can call, via ``adapter.store_relation``);
``config["delta_action"]`` says what to do, write-audit-publish style:

- ``configure`` (on-run-start, first): read the run's context (the file at the location, else
  the root and window in the config) and record it in the DuckDB table ``lakehouse_run`` for
  the macros (``partition_window``);
- ``write``: read the DuckDB relation as Arrow and stage it as the mart's candidate, the Delta
  table at the location (``_staging/gold/<mart>``); for a mart with ``partition_by``, every
  row must lie in the run's window (``writer.stage_mart``);
- ``attach``: make the relation a DuckDB view over a Delta table, so that ``ref()`` and tests
  read it: the published mart at the location, or with ``candidate`` the table that candidate
  would publish (``writer.open_candidate``). DuckDB cannot load its delta extension here,
  hence Arrow;
- ``publish``: commit the candidate ``candidate`` to the mart at the location (the window's
  days, or the whole table) and drop it (``writer.publish_mart``);
- ``discard``: drop the candidate at the location (``writer.discard_candidate``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.adapters.duckdb.plugins import BasePlugin
from dbt.adapters.duckdb.utils import SourceConfig, TargetConfig
from dbt.adapters.events.logging import AdapterLogger

from lakehouse.gold.run_context import RunContext, resolve_run_context
from lakehouse.gold.window import DateWindow
from lakehouse.gold.writer import (
    discard_candidate,
    open_candidate,
    open_mart,
    publish_mart,
    stage_mart,
)
from lakehouse.lake import duck
from lakehouse.lake.reader import DeltaReader
from lakehouse.lake.uris import table_uri

logger = AdapterLogger("Lakehouse")
RUN_TABLE = "lakehouse_run"
"""The DuckDB table holding the run's root and window for the macros (one row once configured)."""


class DeltaWriterError(RuntimeError):
    """The plugin was called without what it needs (run context, location, action)."""


def _non_empty(options: Mapping[str, Any] | None) -> dict[str, str]:
    """Storage options without unset entries (profiles render unset env vars as '')."""
    return {str(k): str(v) for k, v in (options or {}).items() if v not in (None, "")}


class Plugin(BasePlugin):
    """Reads sources and marts from Delta; stages, publishes and attaches marts."""

    def initialize(self, plugin_config: dict[str, Any]) -> None:
        """Keep the storage options (else deltalake reads AWS_* from the environment)."""
        self._storage_options = _non_empty(plugin_config.get("storage_options"))
        self._conn: duckdb.DuckDBPyConnection | None = None
        self._run: RunContext | None = None
        self._sources: dict[tuple[str, str], pads.Dataset] = {}

    def default_materialization(self) -> str:  # pyright: ignore[reportIncompatibleMethodOverride]
        """Sources are views over the Delta table's Arrow dataset, not copies: a model's scan
        reads only its columns and (file statistics, partitions) its window's rows, so a day's
        marts cost the day, not the table (dbt-duckdb's default copies every source whole)."""
        return "view"

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        """Remember dbt's DuckDB database and create the (empty) run table there."""
        self._conn = conn
        columns = "root varchar, min_date varchar, max_date varchar"
        conn.execute(f"create table if not exists {RUN_TABLE} ({columns})")

    @property
    def run(self) -> RunContext:
        """The run's context; raises ``DeltaWriterError`` before on-run-start configured it."""
        if self._run is None:
            raise DeltaWriterError(
                "the lakehouse plugin has no run context: sources and marts resolve only in "
                "commands that run the on-run-start hooks (dbt build, run, test)"
            )
        return self._run

    def _uri(self, key: str) -> str:
        return table_uri(self.run.root, key)

    def load(self, source_config: SourceConfig) -> pads.Dataset | pa.Table:
        """A source ``<schema>.<table>`` as the Delta table ``<root>/<schema>/<table>``
        (resolved through a branch's pins), or a mart the macros attach (``mart`` in meta)."""
        meta = source_config.meta
        if not meta.get("mart"):
            key = (source_config.schema, source_config.identifier)
            if key not in self._sources:  # one snapshot per run, however often referenced
                reader = DeltaReader(self.run.root, self._storage_options)
                self._sources[key] = reader.dataset(list(key))
            return self._sources[key]
        if meta.get("candidate"):
            return open_candidate(
                self._uri(meta["candidate"]),
                self._uri(meta["mart"]),
                partition_by=meta.get("partition_by") or None,
                window=self.run.window,
                storage_options=self._storage_options,
            )
        return open_mart(self._uri(meta["mart"]), self._storage_options)

    def store(self, target_config: TargetConfig) -> None:
        """Configure, stage, attach, publish or discard, as ``config["delta_action"]`` says."""
        if target_config.location is None:
            raise DeltaWriterError(f"{target_config.relation}: no Delta table location given")
        action = target_config.config.get("delta_action")
        actions: dict[str, Callable[[TargetConfig], None]] = {
            "configure": self._configure,
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

    def _configure(self, target_config: TargetConfig) -> None:
        config = target_config.config
        self._sources.clear()
        self._run = resolve_run_context(
            target_config.location.path,  # type: ignore[union-attr]
            config.get("root"),
            config.get("min_date"),
            config.get("max_date"),
        )
        if self._conn is None:
            raise DeltaWriterError("the DuckDB connection is not configured yet")
        if self._run.memory_limit:
            duck.apply_memory_limit(self._conn, self._run.memory_limit, "dbt")
        window = self._run.window
        cursor = self._conn.cursor()
        try:
            cursor.execute(f"delete from {RUN_TABLE}")
            cursor.execute(
                f"insert into {RUN_TABLE} values (?, ?, ?)",
                [
                    self._run.root,
                    window.start.isoformat() if window else None,
                    window.end.isoformat() if window else None,
                ],
            )
        finally:
            cursor.close()
        scope = f", window {window.start}..{window.end}" if window else ", all dates"
        logger.info(f"lakehouse root {self._run.root}{scope}")

    def _read(self, relation: object) -> pa.Table:
        if self._conn is None:
            raise DeltaWriterError("the DuckDB connection is not configured yet")
        cursor = self._conn.cursor()
        try:
            cursor.execute("set TimeZone = 'UTC'")
            return cursor.sql(f"select * from {relation}").to_arrow_table()
        finally:
            cursor.close()

    def _window(self, config: Mapping[str, Any]) -> DateWindow | None:
        return self.run.window if config.get("partition_by") else None

    def _write(self, target_config: TargetConfig) -> None:
        config = target_config.config
        uri = self._uri(target_config.location.path)  # type: ignore[union-attr]
        result = stage_mart(
            uri,
            self._read(target_config.relation),
            partition_by=config.get("partition_by") or None,
            window=self._window(config),
            storage_options=self._storage_options,
        )
        scope = f" for {result.window.start}..{result.window.end}" if result.window else ""
        logger.info(f"staged the candidate {uri}{scope}: {result.rows} rows")

    def _publish(self, target_config: TargetConfig) -> None:
        config = target_config.config
        uri = self._uri(target_config.location.path)  # type: ignore[union-attr]
        result = publish_mart(
            self._uri(config["candidate"]),
            uri,
            partition_by=config.get("partition_by") or None,
            window=self._window(config),
            storage_options=self._storage_options,
        )
        scope = f" for {result.window.start}..{result.window.end}" if result.window else ""
        logger.info(
            f"published {uri}{scope} ({result.operation}): {result.rows} rows, "
            f"Delta version {result.version}"
        )

    def _discard(self, target_config: TargetConfig) -> None:
        uri = self._uri(target_config.location.path)  # type: ignore[union-attr]
        discard_candidate(uri, self._storage_options)

    def _attach(self, target_config: TargetConfig) -> None:
        relation = target_config.relation
        config = target_config.config
        # A view over the re-registered Arrow data (the environment re-registers it on every
        # later cursor), not a copy: dbt-duckdb reads the materialization from the meta.
        meta = {
            "mart": target_config.location.path,  # type: ignore[union-attr]
            "materialization": "view",
            "candidate": config.get("candidate") or "",
            "partition_by": config.get("partition_by") or "",
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
