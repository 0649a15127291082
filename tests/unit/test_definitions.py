"""The definitions load and describe every table: keys, groups, kinds, owners, checks, SLAs."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from lakehouse.definitions import build_definitions
from lakehouse.quality.checks import silver_check_names
from lakehouse.settings import load_settings
from lakehouse.sources import load_sources

SPECS = load_sources()


def _graph(tmp_path: Path) -> dg.AssetGraph:
    settings = load_settings({"LAKEHOUSE_ROOT": str(tmp_path), "LAKEHOUSE_LANDING": str(tmp_path)})
    defs = build_definitions(settings)
    dg.Definitions.validate_loadable(defs)
    return defs.resolve_asset_graph()


def test_every_source_has_landing_bronze_and_silver(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    for spec in SPECS:
        bronze = graph.get(dg.AssetKey(["bronze", spec.name]))
        silver = graph.get(dg.AssetKey(["silver", spec.name]))
        assert dg.AssetKey(["landing", spec.name]) in bronze.parent_keys
        assert dg.AssetKey(["bronze", spec.name]) in silver.parent_keys
        assert bronze.group_name == "bronze"
        assert silver.group_name == "silver"
        assert {"delta"} <= set(silver.kinds)
        assert silver.owners == [spec.owner]
        assert silver.partitions_def is not None
        assert silver.freshness_policy is not None
        schema = silver.metadata["dagster/column_schema"]
        assert [c.name for c in schema.columns][: len(spec.columns)] == [
            c.name for c in spec.columns
        ]


def test_foreign_keys_become_lineage(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    orders = graph.get(dg.AssetKey(["silver", "orders"]))
    assert dg.AssetKey(["silver", "customers"]) in orders.parent_keys


def test_contract_checks_are_declared_and_blocking_where_they_must_be(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    for spec in SPECS:
        key = dg.AssetKey(["silver", spec.name])
        names = {k.name for k in graph.asset_check_keys if k.asset_key == key}
        assert names == set(silver_check_names(spec))
        for check_key in graph.asset_check_keys:
            if check_key.asset_key == key and check_key.name in ("not_null", "error_budget"):
                assert graph.get_check_spec(check_key).blocking
