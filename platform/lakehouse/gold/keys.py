"""The marts of a dbt manifest: their asset names, keys and lineage, read from the manifest."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Manifest = Mapping[str, Any]


def mart_name(node: Mapping[str, Any]) -> str:
    """``gold/<alias>``: the lakehouse table of a mart node."""
    return f"gold/{node.get('alias') or node['name']}"


def marts(manifest: Manifest) -> dict[str, str]:
    """``{unique_id: "gold/<mart>"}`` for every mart (a model materialised as ``external``)."""
    return {
        uid: mart_name(node)
        for uid, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") == "model"
        and node.get("config", {}).get("materialized") == "external"
    }


def mart_keys(manifest: Manifest) -> dict[str, list[str]]:
    """``{"gold/<mart>": key columns}``, found from each mart's uniqueness test in its YAML:
    ``unique_combination`` (its ``columns``), else a column's ``unique`` test."""
    names = marts(manifest)
    found: dict[str, list[str]] = {}
    for node in manifest.get("nodes", {}).values():
        meta = node.get("test_metadata") or {}
        attached = node.get("attached_node")
        if node.get("resource_type") != "test" or attached not in names:
            continue
        kwargs = meta.get("kwargs") or {}
        if meta.get("name") == "unique_combination" and kwargs.get("columns"):
            found[names[attached]] = [str(c) for c in kwargs["columns"]]
        elif meta.get("name") == "unique" and node.get("column_name"):
            found.setdefault(names[attached], [str(node["column_name"])])
    return found


def downstream_marts(manifest: Manifest, roots: Iterable[str]) -> dict[str, str]:
    """``{"gold/<mart>": root unique_id}``: every mart downstream of ``roots`` (unique ids),
    each with the first root it was reached from; a mart among the roots maps to itself."""
    names = marts(manifest)
    children = manifest.get("child_map", {})
    reached: dict[str, str] = {}
    for root in roots:
        stack, seen = [root], {root}
        while stack:
            uid = stack.pop()
            if uid in names:
                reached.setdefault(names[uid], root)
            for child in children.get(uid, []):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
    return reached


def source_ids(manifest: Manifest) -> dict[str, list[str]]:
    """``{"silver/<table>": [unique_id, ...]}``: the dbt sources of each Dagster asset (an
    asset may write several tables, e.g. a dimension and its history)."""
    found: dict[str, list[str]] = {}
    for uid, source in manifest.get("sources", {}).items():
        key = (source.get("meta") or {}).get("dagster", {}).get("asset_key")
        name = "/".join(key) if key else f"{source['schema']}/{source['name']}"
        found.setdefault(name, []).append(uid)
    return found
