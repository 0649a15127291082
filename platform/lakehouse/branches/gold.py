"""Gold on a branch: the marts dbt's slim CI selects against the base's manifest, built into
the branch.

At ``branch create`` the base's dbt project is parsed and its manifest kept in the branch
(``_dbt/base_manifest.json``). A branch build then rebuilds the marts of ``state:modified+``
(SQL, config or macros changed versus that manifest) and the marts downstream of the silver
tables the branch rebuilt. dbt runs once, against the branch root: its sources resolve to the
branch's own silver tables or the base's at their pinned versions, and its marts are written
into the branch only (``lakehouse.gold.delta_writer``).
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lakehouse.branches.pins import Branch, read_text, write_text
from lakehouse.gold.invoke import DbtError, DbtResult, run_dbt
from lakehouse.gold.keys import downstream_marts, mart_keys, marts, source_ids
from lakehouse.gold.run_context import RunContext
from lakehouse.gold.window import DateWindow

BASE_MANIFEST = "_dbt/base_manifest.json"
"""The base's dbt manifest, kept in the branch at creation: what ``state:modified`` compares."""


def save_base_manifest(
    branch: Branch, project_dir: Path, work: Path, storage_options: Mapping[str, str]
) -> str:
    """Parse the dbt project in ``project_dir`` (the base's code) and keep its manifest in the
    branch; returns where. Raises ``DbtError`` if dbt cannot parse it."""
    result = run_dbt(project_dir, ["parse", "--quiet"], work)
    manifest = result.artifact("manifest.json")
    uri = f"{branch.root}/{BASE_MANIFEST}"
    write_text(uri, json.dumps(manifest), storage_options)
    return uri


def export_project(repo: Path, commit: str, destination: Path) -> Path:
    """Write the ``dbt_project`` folder of ``repo`` at ``commit`` under ``destination``."""
    done = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", commit, "dbt_project"],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise DbtError(f"cannot export dbt_project at {commit}: {done.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        archive.extractall(destination, filter="data")
    return destination / "dbt_project"


@dataclass(frozen=True)
class GoldPlan:
    """The marts a branch build rebuilds (``gold/<mart>`` -> why) and the dbt models to select."""

    reasons: dict[str, str]
    models: list[str]
    not_built: dict[str, str] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)


def _modified(
    branch: Branch, project_dir: Path, work: Path, storage_options: Mapping[str, str]
) -> tuple[DbtResult, list[str]]:
    """dbt's ``state:modified`` models versus the base manifest ([] without one), and the run
    (whose ``manifest.json`` is the branch's project)."""
    base = read_text(f"{branch.root}/{BASE_MANIFEST}", storage_options)
    if base is None:
        return run_dbt(project_dir, ["parse", "--quiet"], work / "plan"), []
    state = work / "base"
    state.mkdir(parents=True, exist_ok=True)
    (state / "manifest.json").write_text(base, encoding="utf-8")
    args = ["ls", "--resource-type", "model", "--select", "state:modified", "--state", str(state)]
    result = run_dbt(
        project_dir, [*args, "--output", "json", "--output-keys", "unique_id"], work / "plan"
    )
    if result.returncode != 0:
        tail = "\n".join(result.output.splitlines()[-15:])
        raise DbtError(f"dbt ls --select state:modified failed (exit {result.returncode}):\n{tail}")
    return result, [row["unique_id"] for row in result.listed()]


def plan_gold(
    branch: Branch,
    project_dir: Path,
    rebuilt: Sequence[str],
    work: Path,
    storage_options: Mapping[str, str],
) -> GoldPlan:
    """The marts to rebuild on the branch: ``state:modified+`` versus the base's manifest,
    and those downstream of the ``rebuilt`` silver tables that the base has (a mart the base
    never built has nothing to be compared with, so it is reported, not built)."""
    result, modified = _modified(branch, project_dir, work, storage_options)
    manifest = result.artifact("manifest.json")
    names = marts(manifest)
    reasons: dict[str, str] = {}
    for mart, root in downstream_marts(manifest, modified).items():
        if names.get(root) == mart:
            reasons[mart] = "dbt model changed versus the base's manifest (state:modified)"
        else:
            changed = manifest["nodes"][root]["name"]
            reasons[mart] = f"downstream of the changed dbt model {changed} (state:modified+)"
    not_built: dict[str, str] = {}
    sources = source_ids(manifest)
    for table in rebuilt:
        if table not in sources:
            continue
        for mart in downstream_marts(manifest, sources[table]):
            if mart in reasons:
                continue
            if mart in branch.tables:
                reasons[mart] = f"downstream of {table}, rebuilt on the branch"
            else:
                not_built[mart] = f"downstream of {table}, but the base has no {mart} to diff with"
    by_name = {v: manifest["nodes"][k]["name"] for k, v in names.items()}
    models = sorted(by_name[m] for m in reasons)
    return GoldPlan(reasons, models, not_built, mart_keys(manifest))


@dataclass(frozen=True)
class GoldBuild:
    """What the dbt build of a branch did: marts that failed, and its tests as check results."""

    failed: list[str]
    checks: list[dict[str, Any]]


def _checks(results: list[dict[str, Any]], manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    names = marts(manifest)
    checks = []
    for result in results:
        node = manifest["nodes"].get(result["unique_id"], {})
        attached = node.get("attached_node")
        if node.get("resource_type") != "test" or attached not in names:
            continue
        severity = str(node.get("config", {}).get("severity", "error")).lower()
        checks.append(
            {
                "asset": names[attached],
                "check": node["name"],
                "partition": None,
                "passed": result["status"] == "pass",
                "blocking": severity == "error",
            }
        )
    return checks


def build_gold(
    project_dir: Path,
    root: str,
    plan: GoldPlan,
    window: DateWindow | None,
    work: Path,
    memory_limit: str | None = None,
) -> GoldBuild:
    """``dbt build`` of the planned marts and their tests against the branch root ``root``
    (``window``: only those business dates of the partitioned marts; None: whole tables;
    ``memory_limit``: of dbt's DuckDB database, as in a run's gold step)."""
    context = RunContext(root, window, memory_limit)
    result = run_dbt(project_dir, ["build", "--select", *plan.models], work / "build", context)
    try:
        results = result.artifact("run_results.json")["results"]
    except DbtError as exc:
        return GoldBuild([f"dbt build: {exc}"], [])
    manifest = result.artifact("manifest.json")
    names = marts(manifest)
    failed = [
        names[r["unique_id"]]
        for r in results
        if r["unique_id"] in names and r["status"] != "success"
    ]
    return GoldBuild(failed, _checks(results, manifest))
