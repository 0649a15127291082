"""DuckDB connections of the platform: one database per process, each connection isolated."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from lakehouse.lake import duck


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
