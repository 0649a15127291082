"""The definitions Dagster loads stay what users rely on: same assets, keys, groups, kinds,
owners, dependencies, pools, checks, jobs, sensors, schedules and resources.

A deliberate change updates the snapshot:
``UPDATE_SNAPSHOT=1 pytest tests/unit/test_definitions_snapshot.py``.
"""

import json
import os
from pathlib import Path

import dagster as dg

from lakehouse.definitions import build_definitions
from lakehouse.settings import load_settings

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "definitions.json"


def snapshot(defs: dg.Definitions) -> dict[str, object]:
    """The user-visible shape of ``defs`` as plain JSON."""
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "kinds": sorted(node.kinds),
            "owners": sorted(node.owners),
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "partitioned": node.partitions_def is not None,
            "executable": node.is_executable,
            "pool": sorted(node.pools) if node.pools else None,
            "has_backfill_policy": node.backfill_policy is not None,
            "automation": node.automation_condition is not None,
            "freshness": node.freshness_policy is not None,
        }
    checks = sorted(
        f"{k.asset_key.to_user_string()}:{k.name}:"
        + ("blocking" if graph.get_check_spec(k).blocking else "warn")
        for k in graph.asset_check_keys
    )
    repo = defs.get_repository_def()
    return {
        "assets": assets,
        "checks": checks,
        "jobs": sorted(j.name for j in repo.get_all_jobs()),
        "sensors": sorted(s.name for s in repo.sensor_defs),
        "schedules": sorted(s.name for s in repo.schedule_defs),
        "resources": sorted(repo.get_top_level_resources()),
    }


def test_definitions_match_the_snapshot(tmp_path: Path) -> None:
    settings = load_settings({"LAKEHOUSE_ROOT": str(tmp_path), "LAKEHOUSE_LANDING": str(tmp_path)})
    current = snapshot(build_definitions(settings))
    if os.environ.get("UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    assert current == json.loads(SNAPSHOT.read_text())
