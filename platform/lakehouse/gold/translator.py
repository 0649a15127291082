"""How dbt nodes appear in Dagster: marts under ``gold/``, staging models as virtual views."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from lakehouse.gold.dbt_tests import describe_test
from lakehouse.gold.project import PARTITIONED_MARTS
from lakehouse.policy.conditions import downstream_condition

GOLD_OWNER = "team:analytics"


def _node(manifest: Mapping[str, Any], unique_id: str) -> Mapping[str, Any]:
    return manifest["nodes"].get(unique_id) or manifest["sources"][unique_id]


def _is_ephemeral(node: Mapping[str, Any]) -> bool:
    return node.get("config", {}).get("materialized") == "ephemeral"


def staging_key(node: Mapping[str, Any]) -> dg.AssetKey:
    """The asset key of a staging model: ``staging/<model>``."""
    return dg.AssetKey(["staging", node["name"]])


def staging_selection(manifest: Mapping[str, Any]) -> dg.AssetSelection:
    """The staging views by key (never materialised, so ``groups()`` would not select them)."""
    return dg.AssetSelection.assets(
        *(
            staging_key(node)
            for node in manifest["nodes"].values()
            if node.get("resource_type") == "model" and _is_ephemeral(node)
        )
    )


def column_schema(node: Mapping[str, Any]) -> dg.TableSchema:
    """A model's columns with the ``data_type`` and description its YAML declares."""
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=name,
                type=col.get("data_type") or "",
                description=col.get("description") or None,
            )
            for name, col in node.get("columns", {}).items()
        ]
    )


def mart_table_name(node: Mapping[str, Any]) -> str:
    """Where a mart is published: the Delta table ``gold/<mart>``, a ``lakehouse sql`` view."""
    return f"gold.{node['name']}"


class LakehouseDbtTranslator(DagsterDbtTranslator):
    """Marts depend on the staging models they select from, so lineage reads
    silver → staging → gold even though staging models are inlined (ephemeral) in dbt."""

    def __init__(self) -> None:
        # A silver asset writes two tables dbt reads as sources (``orders`` and its history
        # ``orders_history``): both are that asset.
        super().__init__(
            DagsterDbtTranslatorSettings(
                enable_asset_checks=True, enable_duplicate_source_asset_keys=True
            )
        )

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = _node(manifest, unique_id)
        if node.get("resource_type") != "model" or _is_ephemeral(node):
            return spec
        staging = [
            dg.AssetDep(staging_key(parent))
            for parent in (_node(manifest, p) for p in node.get("depends_on", {}).get("nodes", []))
            if parent.get("resource_type") == "model" and _is_ephemeral(parent)
        ]
        # The silver tables behind the (inlined) staging models stay direct deps too: they
        # order the steps of a run, which a non-executable staging asset cannot.
        deps = [*spec.deps, *staging]
        owners = node.get("config", {}).get("meta", {}).get("owner")
        # dbt's relation (memory.main.<mart>) is the in-memory DuckDB build, not the table
        # readers see: name the published Delta table instead.
        metadata = {k: v for k, v in spec.metadata.items() if k != "dagster/relation_identifier"}
        metadata["dagster/column_schema"] = column_schema(node)
        metadata["dagster/table_name"] = mart_table_name(node)
        return spec.replace_attributes(
            deps=deps,
            automation_condition=downstream_condition(
                staging_selection(manifest),
                whole_history=node["name"] not in PARTITIONED_MARTS,
                in_daily_job=node["name"] in PARTITIONED_MARTS,
            ),
            group_name="gold",
            kinds={"dbt", "duckdb", "delta"},
            owners=[owners] if owners else [GOLD_OWNER],
            metadata=metadata,
        )

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        """dbt's check spec, described by the test's description or its name and arguments."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        return spec._replace(description=spec.description or describe_test(manifest, unique_id))


def staging_specs(manifest: Mapping[str, Any]) -> list[dg.AssetSpec]:
    """Virtual assets for the ephemeral staging models, downstream of their silver sources."""
    translator = DagsterDbtTranslator()
    specs = []
    for unique_id, node in manifest["nodes"].items():
        if node.get("resource_type") != "model" or not _is_ephemeral(node):
            continue
        deps = [
            translator.get_asset_spec(manifest, parent, None).key
            for parent in node.get("depends_on", {}).get("nodes", [])
        ]
        specs.append(
            dg.AssetSpec(
                key=staging_key(node),
                deps=deps,
                description=node.get("description") or f"dbt staging model {node['name']}.",
                group_name="staging",
                kinds={"dbt", "duckdb", "view"},
                owners=[GOLD_OWNER],
                metadata={
                    "dagster/column_schema": column_schema(node),
                    "dbt_unique_id": unique_id,
                    "materialized": "ephemeral (inlined into the marts that select from it)",
                },
            )
        )
    return specs
