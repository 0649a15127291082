"""The lakehouse dbt plugin on a branch root: sources resolve through the branch's pins, marts
are written into the branch only, and no location can point it at the base."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from dbt.adapters.duckdb.relation import DuckDBRelation
from dbt.adapters.duckdb.utils import SourceConfig, TargetConfig, TargetLocation
from deltalake import DeltaTable, write_deltalake

from lakehouse.gold.delta_writer import Plugin
from lakehouse.gold.keys import downstream_marts, mart_keys, source_ids
from lakehouse.gold.writer import table_store
from lakehouse.lake.branch_store import BranchStore
from lakehouse.lake.reader import BRANCH_FILE


@pytest.fixture
def branch_root(tmp_path: Path) -> Path:
    """A base with silver/orders at version 1 and a branch pinned at version 0."""
    base = tmp_path / "lake"
    write_deltalake(str(base / "silver" / "orders"), pa.table({"n": [1]}))
    write_deltalake(str(base / "silver" / "orders"), pa.table({"n": [2]}), mode="append")
    root = base / "_branches" / "b1"
    root.mkdir(parents=True)
    pins = f'{{"base_root": "{base}", "tables": {{"silver/orders": 0}}}}'
    (root / BRANCH_FILE).write_text(pins, encoding="utf-8")
    return root


def _plugin(root: Path, tmp_path: Path) -> Plugin:
    plugin = Plugin(name="lakehouse", plugin_config={})
    plugin.configure_connection(duckdb.connect())
    relation = DuckDBRelation.create(identifier="lakehouse_run")
    location = TargetLocation(str(tmp_path / "no-context.json"), "json")
    config = {"delta_action": "configure", "root": str(root)}
    plugin.store(TargetConfig(relation, [], config, location))
    return plugin


def test_a_source_on_a_branch_reads_the_base_at_its_pinned_version(
    branch_root: Path, tmp_path: Path
) -> None:
    plugin = _plugin(branch_root, tmp_path)
    source = SourceConfig("orders", "orders", "silver", None, {"plugin": "lakehouse"}, [])
    assert plugin.load(source).to_table().column("n").to_pylist() == [1]


def test_a_branch_build_cannot_write_into_the_base(branch_root: Path, tmp_path: Path) -> None:
    plugin = _plugin(branch_root, tmp_path)
    base_mart = branch_root.parent.parent / "gold" / "orders_daily"
    relation = DuckDBRelation.create(identifier="orders_daily")
    for location in (str(base_mart), "../../gold/orders_daily"):
        target = TargetConfig(relation, [], {"delta_action": "write"}, TargetLocation(location, ""))
        with pytest.raises(ValueError, match="invalid asset key part"):
            plugin.store(target)
    assert not base_mart.exists()
    store, key = table_store(f"{branch_root}/gold/orders_daily")
    assert isinstance(store, BranchStore) and key == ["gold", "orders_daily"]
    store.overwrite(key, pa.table({"n": [3]}))
    assert DeltaTable(str(branch_root / "gold" / "orders_daily")).version() == 0
    assert not base_mart.exists()


MANIFEST = {
    "nodes": {
        "model.p.daily": {
            "resource_type": "model",
            "name": "daily",
            "alias": "daily",
            "config": {"materialized": "external"},
        },
        "model.p.stg": {
            "resource_type": "model",
            "name": "stg",
            "config": {"materialized": "ephemeral"},
        },
        "model.p.ltv": {
            "resource_type": "model",
            "name": "ltv",
            "alias": "ltv",
            "config": {"materialized": "external"},
        },
        "test.p.u1": {
            "resource_type": "test",
            "attached_node": "model.p.daily",
            "test_metadata": {"name": "unique_combination", "kwargs": {"columns": ["d", "c"]}},
        },
        "test.p.u2": {
            "resource_type": "test",
            "attached_node": "model.p.ltv",
            "column_name": "customer_id",
            "test_metadata": {"name": "unique", "kwargs": {}},
        },
    },
    "child_map": {"source.p.s.orders": ["model.p.stg"], "model.p.stg": ["model.p.daily"]},
    "sources": {
        f"source.p.s.{name}": {
            "schema": "silver",
            "name": name,
            "meta": {"dagster": {"asset_key": ["silver", "customers"]}},
        }
        for name in ("customers", "customers_history")
    },
}


def test_mart_keys_and_lineage_come_from_the_manifest() -> None:
    assert mart_keys(MANIFEST) == {"gold/daily": ["d", "c"], "gold/ltv": ["customer_id"]}
    assert downstream_marts(MANIFEST, ["source.p.s.orders"]) == {"gold/daily": "source.p.s.orders"}
    assert downstream_marts(MANIFEST, ["model.p.ltv"]) == {"gold/ltv": "model.p.ltv"}
    # One asset, two tables (a dimension and its history): both sources are its.
    assert source_ids(MANIFEST) == {
        "silver/customers": ["source.p.s.customers", "source.p.s.customers_history"]
    }
