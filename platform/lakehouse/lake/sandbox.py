"""The analysts' DuckDB sandbox: the registered lakehouse tables, and nothing else.

DuckDB can read and write any file the process can (``COPY ... TO``, ``read_csv``,
``read_text('/proc/self/environ')``), install and load extensions, and change its own
settings. Once the Delta tables' Arrow datasets are registered, :func:`lock_down` turns all of
that off for good: the datasets stay readable (pyarrow reads them, not DuckDB's file system),
while every path, URL, extension and ``SET`` is refused. Bronze holds raw values and raw PII,
so it is registered only for an engineer, and only in dev (:func:`layers_for`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb

from lakehouse.lake.errors import classify, first_line, permanent_message
from lakehouse.settings import Environment

ANALYST_LAYERS = ("silver", "gold", "quarantine")
"""Layers an analyst may query: typed, validated, PII masked (quarantine records are masked)."""

ENGINEER_LAYERS = ("bronze", *ANALYST_LAYERS)
"""Every layer, bronze's raw values and raw PII included: for engineers in dev only."""

LOCK_DOWN = (
    "SET python_enable_replacements = false",
    "SET allow_community_extensions = false",
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET allow_persistent_secrets = false",
    "SET allow_extension_repositories = 'forbidden'",
    "SET enable_external_access = false",
    "SET lock_configuration = true",
)
"""Run in this order once the tables are registered; the last one makes them irreversible.

Checked on DuckDB 2.0: each is a setting it knows and may still change at that point.
``enable_external_access = false`` blocks file and network access, ``INSTALL``/``LOAD`` and
replacement scans of Python variables, but not scans of datasets registered before it.
"""


class EngineerAccessError(ValueError):
    """Bronze was asked for outside dev."""


def layers_for(env: Environment, *, engineer: bool = False) -> tuple[str, ...]:
    """The layers a session may see: bronze only for an engineer, and only in dev.

    Raises:
        EngineerAccessError: ``engineer`` outside ``Environment.DEV``.
    """
    if not engineer:
        return ANALYST_LAYERS
    if env is not Environment.DEV:
        raise EngineerAccessError(
            f"--engineer (bronze: raw values and raw PII) is refused in LAKEHOUSE_ENV={env.value}; "
            "it is for dev only. Query silver, gold and quarantine instead."
        )
    return ENGINEER_LAYERS


def lock_down(con: duckdb.DuckDBPyConnection) -> None:
    """Forbid files, network, extensions and setting changes on ``con``, irreversibly."""
    for statement in LOCK_DOWN:
        con.execute(statement)


def query_error_line(
    error: duckdb.Error,
    *,
    query: str,
    tables: Sequence[str],
    engineer: bool = False,
    storage_options: Mapping[str, str] | None = None,
) -> str:
    """One line for a failed sandbox query: refused by the lock-down, storage, or plain error."""
    if classify(error).permanent:
        return f"storage error: {permanent_message(error, storage_options)}"
    text = str(error)
    if isinstance(error, duckdb.PermissionException) or "configuration has been locked" in text:
        return f"query refused: {first_line(text)}"
    hint = ""
    if not engineer and "bronze" in query.lower():
        hint = " (bronze holds raw PII: it needs --engineer, in dev only)"
    return f"query failed: {first_line(text)}{hint}; tables: {', '.join(tables)}"
