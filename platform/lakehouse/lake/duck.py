"""DuckDB for the platform's own queries: connections to one in-memory database per process.

``duckdb.connect()`` creates a whole database, ~35 ms on this machine, and a day's run opened
41 of them (1.3 s of a 1 k-order day, ``bench/RESULTS.md``). A cursor of a database already
open costs microseconds and is a connection of its own: the tables and Arrow data it registers
and its temporary tables belong to it alone and go when it is closed, so callers stay as
isolated as with a database each, as long as they create only temporary objects. Analysts' SQL
never runs here: it gets a locked-down database of its own (``lakehouse.lake.sandbox``).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import tempfile
import threading

import duckdb

_LOCK = threading.Lock()
_DATABASES: dict[int, duckdb.DuckDBPyConnection] = {}
"""This process's database (by process id: a forked child never uses its parent's)."""
_LIMIT: list[str] = []
"""The memory limit :func:`limit_memory` set for this process (empty: DuckDB's default)."""

SPILL_PREFIX = "lakehouse-duckdb-"
"""DuckDB spills to ``<TMPDIR>/lakehouse-duckdb-<pid>-<database>`` and deletes it when closed."""


def spill_folder(database: str = "platform") -> str:
    """Where this process's DuckDB database ``database`` writes what exceeds its memory limit:
    local disk, a folder per process and database (DuckDB's default for an in-memory database,
    ``.tmp`` in the working directory, would be a checkout's; one database closing deletes its
    folder)."""
    return os.path.join(tempfile.gettempdir(), f"{SPILL_PREFIX}{os.getpid()}-{database}")


def apply_memory_limit(
    connection: duckdb.DuckDBPyConnection, limit: str, database: str = "platform"
) -> None:
    """Cap the database of ``connection`` at ``limit`` (``3GB``, ``25%``); beyond it, its joins,
    aggregates, sorts and windows spill to ``spill_folder(database)``. Also for databases other
    than this module's (dbt-duckdb's)."""
    connection.execute(f"SET memory_limit = '{limit}'")
    folder = spill_folder(database)
    ((current,),) = connection.execute("SELECT current_setting('temp_directory')").fetchall()
    if current != folder:  # DuckDB refuses to set it again once it has spilled there
        connection.execute(f"SET temp_directory = '{folder}'")


def limit_memory(limit: str) -> None:
    """Cap this process's database at ``limit`` (now and when it is opened again)."""
    with _LOCK:
        _LIMIT[:] = [limit]
        database = _DATABASES.get(os.getpid())
        if database is not None:
            apply_memory_limit(database, limit)


def _close_in(pid: int, database: duckdb.DuckDBPyConnection) -> None:
    """Close ``database`` at exit, in the process that opened it only (never in a fork)."""
    if os.getpid() == pid:
        database.close()


def _database() -> duckdb.DuckDBPyConnection:
    pid = os.getpid()
    database = _DATABASES.get(pid)
    if database is None:
        database = _DATABASES[pid] = duckdb.connect()
        atexit.register(_close_in, pid, database)
        if _LIMIT:
            apply_memory_limit(database, _LIMIT[0])
    return database


def _cursor() -> duckdb.DuckDBPyConnection:
    connection = _database().cursor()
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def connect() -> duckdb.DuckDBPyConnection:
    """A new connection to this process's in-memory DuckDB database, its time zone UTC.

    Close it when done (``try``/``finally``); create only temporary tables in it. A database
    that a fatal error invalidated (or that was closed) is replaced by a new one.
    """
    with _LOCK:
        try:
            return _cursor()
        except duckdb.Error:
            _DATABASES.pop(os.getpid(), None)
            return _cursor()


_HEADROOM = 64 << 20
"""Bytes above what live queries hold that a trim leaves DuckDB's buffer pool."""


def trim_buffer_pool() -> None:
    """Hand back the memory DuckDB's buffer pool keeps cached after queries end.

    DuckDB keeps freed blocks for reuse up to its memory limit (80 % of RAM), so one large
    query leaves the process gigabytes larger for the rest of its life. Lowering the limit to
    what live data holds makes DuckDB give its cache back, as its maintainers advise; the limit
    is then restored (:func:`limit_memory`'s, else DuckDB's default). Data still held (an open
    cursor's temporary table) stays. Call it between steps, not while another thread of the process
    runs a large query: for that moment the limit is what live data holds plus 64 MiB.
    """
    with _LOCK:
        database = _DATABASES.get(os.getpid())
        if database is None:
            return
        # Only memory is at stake: a trim that cannot run (a closed or invalidated database,
        # which connect() replaces) is skipped, never raised over what the caller is doing.
        with contextlib.suppress(duckdb.Error):
            cursor = database.cursor()
            try:
                ((used,),) = cursor.execute(
                    "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()"
                ).fetchall()
                try:
                    # Refused (nothing freed) when live data grew meanwhile: harmless.
                    with contextlib.suppress(duckdb.OutOfMemoryException):
                        cursor.execute(f"SET memory_limit = '{int(used) + _HEADROOM}B'")
                finally:
                    if _LIMIT:
                        apply_memory_limit(cursor, _LIMIT[0])
                    else:
                        cursor.execute("RESET memory_limit")
            finally:
                cursor.close()
