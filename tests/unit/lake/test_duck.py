"""DuckDB connections of the platform: one database per process, each connection isolated."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from lakehouse.lake import duck
from lakehouse.lake.memory import release_unused_memory, step_running

from .conftest import Setting


def test_connections_share_one_database_per_process() -> None:
    first, second = duck.connect(), duck.connect()
    try:
        assert len(duck._DATABASES) == 1
        assert first.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
    finally:
        first.close()
        second.close()


def test_what_a_connection_registers_or_creates_is_its_own() -> None:
    first, second = duck.connect(), duck.connect()
    try:
        first.register("rows", pa.table({"n": [1, 2, 3]}))
        first.execute("CREATE TEMP TABLE kept AS SELECT n FROM rows WHERE n > 1")
        assert first.execute("SELECT count(*) FROM kept").fetchone() == (2,)
        second.register("rows", pa.table({"n": [7]}))
        assert second.execute("SELECT sum(n) FROM rows").fetchone() == (7,)
        assert first.execute("SELECT sum(n) FROM rows").fetchone() == (6,)
        with pytest.raises(duckdb.CatalogException):
            second.execute("SELECT * FROM kept")
    finally:
        first.close()
        second.close()
    again = duck.connect()
    try:
        with pytest.raises(duckdb.CatalogException):
            again.execute("SELECT * FROM kept")
    finally:
        again.close()


def test_a_closed_or_invalidated_database_is_replaced() -> None:
    duck.connect().close()
    database = next(iter(duck._DATABASES.values()))
    database.close()  # as a fatal DuckDB error leaves it: every new cursor fails
    connection = duck.connect()
    try:
        assert connection.execute("SELECT 41 + 1").fetchone() == (42,)
        assert next(iter(duck._DATABASES.values())) is not database
    finally:
        connection.close()


def _resident_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_trimming_returns_the_buffer_pool_cache_and_keeps_live_data() -> None:
    live = duck.connect()
    try:
        live.execute("CREATE TEMP TABLE kept AS SELECT range AS n FROM range(1000)")
        finished = duck.connect()
        # A large query's blocks stay cached in the buffer pool after its connection closes.
        finished.execute(
            "CREATE TEMP TABLE big AS SELECT range AS n, range::VARCHAR AS s FROM range(20000000)"
        )
        finished.close()
        cached = _resident_bytes()
        duck.trim_buffer_pool()
        assert cached - _resident_bytes() > 200 << 20  # the table took ~0.8 GB
        assert live.execute("SELECT count(*) FROM kept").fetchone() == (1000,)
        # The limit is back for the buffer pool itself, not only in the configuration.
        default = duckdb.connect().execute("SELECT memory_limit FROM pragma_database_size()")
        limit = live.execute("SELECT memory_limit FROM pragma_database_size()").fetchone()
        assert limit == default.fetchone()
    finally:
        live.close()


def test_a_memory_limit_holds_for_new_connections_after_trims_and_reopening(
    setting: Setting,
) -> None:
    duck.connect().close()
    duck.limit_memory("300MB")  # an open database takes it at once
    connection = duck.connect()
    try:
        assert setting(connection, "memory_limit") == "286.1 MiB"
        assert setting(connection, "temp_directory") == duck.spill_folder()
        duck.trim_buffer_pool()
        assert setting(connection, "memory_limit") == "286.1 MiB"
    finally:
        connection.close()
    next(iter(duck._DATABASES.values())).close()  # a new database takes it too
    reopened = duck.connect()
    try:
        assert setting(reopened, "memory_limit") == "286.1 MiB"
    finally:
        reopened.close()


def test_over_its_limit_a_database_spills_to_the_spill_folder(tmp_path: Path) -> None:
    grouped = (
        "SELECT count(*) FROM (SELECT s, count(*) FROM "
        "(SELECT md5(range::VARCHAR) AS s FROM range(3000000)) GROUP BY s)"
    )
    without_spill = duckdb.connect()
    try:
        without_spill.execute("SET memory_limit = '60MB'")
        without_spill.execute("SET temp_directory = ''")
        with pytest.raises(duckdb.OutOfMemoryException):
            without_spill.execute(grouped)
    finally:
        without_spill.close()
    database = duckdb.connect()
    try:
        duck.apply_memory_limit(database, "60MB", "test")
        assert database.execute(grouped).fetchone() == (3000000,)
        assert Path(duck.spill_folder("test")).is_dir()
        duck.apply_memory_limit(database, "80MB", "test")  # the next step's: after a spill
        assert database.execute(grouped).fetchone() == (3000000,)
    finally:
        database.close()
    assert not Path(duck.spill_folder("test")).exists()  # DuckDB deletes it when closed


def test_the_cache_is_trimmed_only_while_one_step_runs() -> None:
    # A trim lowers the limit for a moment: a query of another running step could run into it.
    finished = duck.connect()
    finished.execute(
        "CREATE TEMP TABLE big AS SELECT range AS n, range::VARCHAR AS s FROM range(20000000)"
    )
    finished.close()
    cached = _resident_bytes()
    with step_running(), step_running():  # this step, and another beside it
        release_unused_memory()
        assert cached - _resident_bytes() < 100 << 20
    with step_running():
        release_unused_memory()
    assert cached - _resident_bytes() > 200 << 20
