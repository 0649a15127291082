"""DuckDB settings of the process, restored after each test that changes them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import duckdb
import pytest

from lakehouse.lake import duck

Setting = Callable[[duckdb.DuckDBPyConnection, str], str]


@pytest.fixture(autouse=True)
def _default_memory_limit() -> Iterator[None]:
    """Each test starts and ends with DuckDB's default memory limit in this process."""
    yield
    duck._LIMIT.clear()
    for database in duck._DATABASES.values():
        database.execute("RESET memory_limit")


@pytest.fixture
def setting() -> Setting:
    """The current value of a DuckDB setting on a connection."""

    def read(connection: duckdb.DuckDBPyConnection, name: str) -> str:
        ((value,),) = connection.execute(f"SELECT current_setting('{name}')").fetchall()
        return str(value)

    return read
