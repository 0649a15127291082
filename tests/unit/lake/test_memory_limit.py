"""The DuckDB memory limit setting reaches both databases a step uses: the platform's own (through
the lakehouse resource) and dbt's (through the run context the plugin reads at on-run-start)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
from dbt.adapters.duckdb.relation import DuckDBRelation
from dbt.adapters.duckdb.utils import TargetConfig, TargetLocation

from lakehouse.gold.delta_writer import Plugin
from lakehouse.gold.run_context import RunContext, resolve_run_context
from lakehouse.gold.window import DateWindow
from lakehouse.lake import duck
from lakehouse.lake.resource import LakehouseResource
from lakehouse.settings import DUCKDB_MEMORY_LIMIT, load_settings

from .conftest import Setting


def test_the_run_context_carries_the_memory_limit(tmp_path: Path) -> None:
    context = RunContext("/lake", DateWindow.from_vars("2026-11-01", "2026-11-02"), "256MB")
    path = context.write(tmp_path)
    assert resolve_run_context(str(path), None, None, None) == context


def test_dbts_database_takes_the_runs_memory_limit_and_spill_folder(
    tmp_path: Path, setting: Setting
) -> None:
    path = RunContext(str(tmp_path / "lake"), None, "256MB").write(tmp_path / "target")
    connection = duckdb.connect()
    try:
        plugin = Plugin(name="lakehouse", plugin_config={})
        plugin.configure_connection(connection)
        relation = DuckDBRelation.create(identifier="lakehouse_run")
        location = TargetLocation(str(path), "json")
        plugin.store(TargetConfig(relation, [], {"delta_action": "configure"}, location))
        assert setting(connection, "memory_limit") == "244.1 MiB"
        assert setting(connection, "temp_directory") == duck.spill_folder("dbt")
    finally:
        connection.close()


def test_the_lakehouse_resource_caps_the_step_process_database(
    tmp_path: Path, setting: Setting
) -> None:
    resource = LakehouseResource(
        root=str(tmp_path), landing=str(tmp_path), pii_key="k", duckdb_memory_limit="256MB"
    )
    with dg.build_resources({"lakehouse": resource}):
        connection = duck.connect()
        try:
            assert setting(connection, "memory_limit") == "244.1 MiB"
        finally:
            connection.close()


def test_the_setting_reaches_the_resource_and_the_default_is_the_platforms() -> None:
    chosen = load_settings({"LAKEHOUSE_DUCKDB_MEMORY_LIMIT": "1.5GB"})
    assert LakehouseResource.from_settings(chosen).duckdb_memory_limit == "1.5GB"
    default = LakehouseResource.from_settings(load_settings({}))
    assert default.duckdb_memory_limit == DUCKDB_MEMORY_LIMIT == "3GB"
