"""How dbt nodes appear in Dagster: marts under ``gold/``, staging models as virtual views."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

from lakehouse.gold.project import PARTITIONED_MARTS
from lakehouse.policy.conditions import downstream_condition

GOLD_OWNER = "team:analytics"
STAGING = dg.AssetSelection.groups("staging", include_sources=True)
"""The staging views (not executable, so selected with include_sources)."""


def _node(manifest: Mapping[str, Any], unique_id: str) -> Mapping[str, Any]:
    return manifest["nodes"].get(unique_id) or manifest["sources"][unique_id]


def _is_ephemeral(node: Mapping[str, Any]) -> bool:
    return node.get("config", {}).get("materialized") == "ephemeral"


def staging_key(node: Mapping[str, Any]) -> dg.AssetKey:
    """The asset key of a staging model: ``staging/<model>``."""
    return dg.AssetKey(["staging", node["name"]])


class LakehouseDbtTranslator(DagsterDbtTranslator):
    """Marts depend on the staging models they select from, so lineage reads
    silver → staging → gold even though staging models are inlined (ephemeral) in dbt."""

    def __init__(self) -> None:
        super().__init__(DagsterDbtTranslatorSettings(enable_asset_checks=True))

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
        return spec.replace_attributes(
            deps=deps,
            automation_condition=downstream_condition(
                STAGING, whole_history=node["name"] not in PARTITIONED_MARTS
            ),
            group_name="gold",
            kinds={"dbt", "duckdb", "delta"},
            owners=[owners] if owners else [GOLD_OWNER],
        )


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
        columns = [
            dg.TableColumn(
                name=name, type=col.get("data_type") or "", description=col.get("description")
            )
            for name, col in node.get("columns", {}).items()
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
                    "dagster/column_schema": dg.TableSchema(columns=columns),
                    "dbt_unique_id": unique_id,
                    "materialized": "ephemeral (inlined into the marts that select from it)",
                },
            )
        )
    return specs
