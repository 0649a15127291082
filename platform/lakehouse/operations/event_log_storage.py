"""The development instance's event log: Dagster's SQLite storage, its databases kept open.

Dagster's SQLite event log opens a database, commits with a full sync and closes it for every
event it stores (``SqliteEventLogStorage._connect``); in WAL mode each close also checkpoints
the log into the database and deletes it. A day of the daily job stores ~330 events (each check
result is three: planned, output, evaluation), which cost ~3,900 fsyncs and a third of a small
day's run (``bench/RESULTS.md``). :class:`PooledSqliteEventLogStorage` keeps one pooled
connection per database (a run's, the index) with ``synchronous=NORMAL``: in WAL mode the
database stays consistent through any crash, and a commit survives the crash of any process;
only the last commits before a power loss may roll back, a fair price for the development
instance (production's storage is PostgreSQL, ``infra/dagster/dagster.prod.yaml``).

Because the database file itself now changes only at checkpoints, live run logs are found by
polling the database (as on PostgreSQL) instead of watching the file.

``infra/dagster/dagster.dev.yaml`` selects it with ``instance_class: LakehouseInstance``, whose
defaults are Dagster's SQLite storage under the instance folder with this event log.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dagster as dg
import yaml
from dagster._core.instance.ref import InstanceRef
from dagster._core.storage.event_log.polling_event_watcher import SqlPollingEventWatcher
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

from lakehouse.operations.slot_claims import AssignsFreeSlotsOnClaim

DATABASES_KEPT_OPEN = 16
"""Run databases a process keeps connections to (the UI reads many runs; a run worker, one)."""


def _commit_without_full_sync(connection: Any, _record: object) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _dispose_all(engines: OrderedDict[str, Engine]) -> None:
    while engines:
        engines.popitem()[1].dispose()


class PooledSqliteEventLogStorage(AssignsFreeSlotsOnClaim, SqliteEventLogStorage):
    """Dagster's run-sharded SQLite event log with an open connection per database instead of a
    new connection, a full sync and a checkpoint per event; a pool's free slot never left
    unassigned to a waiting step (:mod:`~lakehouse.operations.slot_claims`)."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._poller: SqlPollingEventWatcher | None = None
        self._tables: set[str] = set()
        super().__init__(base_dir, inst_data)
        # Closed when the storage goes or the process exits: the last connection to a
        # database checkpoints its write-ahead log and removes the -wal and -shm files.
        weakref.finalize(self, _dispose_all, self._engines)

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        """The open engine of ``shard``'s database (created, and the database initialised, on
        first use); the least recently used beyond ``DATABASES_KEPT_OPEN`` are closed."""
        engine = self._engines.pop(shard, None)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
            )
            event.listen(engine, "connect", _commit_without_full_sync)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > DATABASES_KEPT_OPEN:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as connection, connection.begin():
            yield connection

    def has_table(self, table_name: str) -> bool:
        """Whether the index database has ``table_name``; a table once found is remembered.

        Dagster asks before storing each check event and asset tag (a new connection each
        time); tables are only ever added by migrations, and ``wipe`` forgets them.
        """
        if table_name in self._tables:
            return True
        found = super().has_table(table_name)
        if found:
            self._tables.add(table_name)
        return found

    def _close_databases(self) -> None:
        with self._db_lock:
            _dispose_all(self._engines)

    def wipe(self) -> None:
        self._close_databases()
        self._tables.clear()
        super().wipe()

    def watch(self, run_id: str, cursor: str | None, callback: Any) -> None:
        if self._poller is None:
            self._poller = SqlPollingEventWatcher(self)
        self._poller.watch_run(run_id, cursor, callback)

    def end_watch(self, run_id: str, handler: Any) -> None:
        if self._poller is not None:
            self._poller.unwatch_run(run_id, handler)

    def dispose(self) -> None:
        if self._poller is not None:
            self._poller.close()
            self._poller = None
        self._close_databases()
        super().dispose()


class LakehouseSqliteStorage(DagsterSqliteStorage):
    """Dagster's SQLite instance storage (runs, schedules, event log under ``base_dir``) with
    :class:`PooledSqliteEventLogStorage` as its event log."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None) -> None:
        super().__init__(base_dir, inst_data)
        self._event_log_storage = PooledSqliteEventLogStorage(_event_log_dir(base_dir))

    @classmethod
    def from_config_value(  # type: ignore[override]
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> LakehouseSqliteStorage:
        return cls.from_local(inst_data=inst_data, **config_value)


def _event_log_dir(base_dir: str) -> str:
    """Where Dagster's SQLite storage keeps run databases: an instance keeps its history."""
    event_storage = InstanceRef.config_defaults(base_dir)["event_log_storage"]
    assert event_storage is not None
    return event_storage.config_dict["base_dir"]


class LakehouseInstance(dg.DagsterInstance):
    """A Dagster instance whose default storage is :class:`LakehouseSqliteStorage` in the
    instance folder; everything the instance's ``dagster.yaml`` sets still applies."""

    @classmethod
    def config_schema(cls) -> dict[str, Any]:
        """No settings of its own."""
        return {}

    @staticmethod
    def config_defaults(base_dir: str) -> Mapping[str, ConfigurableClassData | None]:
        """Dagster's defaults for ``base_dir``, with the pooled event log."""
        defaults = dict(InstanceRef.config_defaults(base_dir))
        defaults["storage"] = ConfigurableClassData(
            __name__, LakehouseSqliteStorage.__name__, yaml.dump({"base_dir": base_dir})
        )
        defaults["event_log_storage"] = ConfigurableClassData(
            __name__,
            PooledSqliteEventLogStorage.__name__,
            yaml.dump({"base_dir": _event_log_dir(base_dir)}),
        )
        return defaults
