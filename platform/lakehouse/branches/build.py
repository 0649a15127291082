"""Build on a branch only what changed: the silver tables of changed declarations and their
downstream, and the marts dbt's slim CI selects (``branches.gold``)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import dagster as dg

from lakehouse.branches.changes import SourceChange, changed_sources, downstream
from lakehouse.branches.gold import GoldPlan, build_gold, plan_gold
from lakehouse.branches.pins import Branch, save_branch
from lakehouse.gold.project import rebuild_window
from lakehouse.gold.window import DateWindow
from lakehouse.operations.headless import materialize_days
from lakehouse.operations.instance import open_instance
from lakehouse.settings import Settings

BUILT_LAYERS = ("silver",)
"""Layers a branch rebuilds through Dagster runs; gold is built by one dbt build."""


@dataclass(frozen=True)
class BuildPlan:
    """What a branch build materialises and why; downstream tables it does not build."""

    changes: list[SourceChange]
    assets: list[str]
    reasons: dict[str, str]
    not_built: list[str] = field(default_factory=list)
    gold: GoldPlan | None = None

    @property
    def silver(self) -> list[str]:
        """The assets built by Dagster runs (not the marts)."""
        return [a for a in self.assets if not a.startswith("gold/")]

    def render(self) -> list[str]:
        """One line per asset: rebuilt because, or not built because."""
        lines = [f"rebuild {a}: {self.reasons[a]}" for a in self.assets]
        lines += [f"not built {a}: {self.reasons[a]}" for a in self.not_built]
        return lines or ["nothing changed versus the branch's base commit: nothing to build"]


@dataclass(frozen=True)
class BuildOutcome:
    """A branch build: its plan, failed days and the checks its runs evaluated."""

    plan: BuildPlan
    failed: list[str]
    checks: list[dict[str, Any]]

    @property
    def blocking_failures(self) -> list[dict[str, Any]]:
        """Checks that block publishing and did not pass."""
        return [c for c in self.checks if c["blocking"] and not c["passed"]]

    @property
    def ok(self) -> bool:
        """Every run succeeded and no blocking check failed."""
        return not self.failed and not self.blocking_failures


def plan_build(
    defs: dg.Definitions,
    branch: Branch,
    repo: Path,
    sources_dir: Path,
    dbt_project: Path | None = None,
    work: Path | None = None,
    storage_options: dict[str, str] | None = None,
) -> BuildPlan:
    """Silver assets of the declarations changed since the branch's commit, and downstream;
    with ``dbt_project`` (the branch's dbt project) and ``work`` (a scratch folder), the marts
    of ``state:modified+`` and those downstream of the rebuilt silver tables."""
    changes = changed_sources(sources_dir, repo, branch.commit or "HEAD")
    roots = [dg.AssetKey(["silver", c.name]) for c in changes]
    why = {f"silver/{c.name}": "declaration changed: " + "; ".join(c.reasons) for c in changes}
    assets, reasons = [], {}
    for key in downstream(defs, roots) if roots else []:
        name = key.to_user_string()
        if key.path[0] in BUILT_LAYERS:
            assets.append(name)
            reasons[name] = why.get(name, "downstream of a changed source")
    if dbt_project is None or work is None:
        return BuildPlan(changes, assets, reasons)
    gold = plan_gold(branch, dbt_project, assets, work, storage_options or {})
    reasons |= gold.reasons | gold.not_built
    return BuildPlan(changes, [*assets, *gold.reasons], reasons, list(gold.not_built), gold)


def check_outcomes(
    instance: dg.DagsterInstance, defs: dg.Definitions, assets: list[str], since: float
) -> list[dict[str, Any]]:
    """The check evaluations of ``assets`` recorded in ``instance`` since ``since`` (epoch s)."""
    graph = defs.resolve_asset_graph()
    wanted = {dg.AssetKey.from_user_string(a) for a in assets}
    outcomes = []
    for check_key in sorted(graph.asset_check_keys, key=str):
        if check_key.asset_key not in wanted:
            continue
        storage = instance.event_log_storage
        for record in storage.get_asset_check_execution_history(check_key, limit=1000):
            evaluation = record.evaluation
            if record.create_timestamp < since or not isinstance(
                evaluation, dg.AssetCheckEvaluation
            ):
                continue  # an earlier run's, or planned and never evaluated
            blocking = (
                evaluation.blocking
                if evaluation.blocking is not None
                else evaluation.severity == dg.AssetCheckSeverity.ERROR
            )
            outcomes.append(
                {
                    "asset": check_key.asset_key.to_user_string(),
                    "check": check_key.name,
                    "partition": record.partition,
                    "passed": bool(evaluation.passed),
                    "blocking": bool(blocking),
                }
            )
    return outcomes


def build_branch(
    defs: dg.Definitions,
    settings: Settings,
    branch: Branch,
    repo: Path,
    sources_dir: Path,
    start: date | None = None,
    end: date | None = None,
    instance_home: str | None = None,
    dbt_project: Path | None = None,
) -> BuildOutcome:
    """Materialise the plan on the branch for the landed days in ``[start, end]``: silver
    through the daily job, then the planned marts in one dbt build (for the business dates
    those days touched; the whole marts without bounds).

    ``settings`` and ``defs`` must be the branch's (``LAKEHOUSE_BRANCH``): its runs write
    only the branch. ``dbt_project`` is the branch's dbt project (default: the checkout's).
    The outcome (assets, failed days, check results, mart keys) is recorded in the branch's
    ``_branch.json`` for ``diff`` and ``promote``.
    """
    if settings.root.rstrip("/") != branch.root.rstrip("/"):
        raise ValueError(f"settings point at {settings.root}, not at branch {branch.name}")
    project = dbt_project or repo / "dbt_project"
    with tempfile.TemporaryDirectory(prefix=f"branch-{branch.name}-") as scratch:
        work = Path(scratch)
        plan = plan_build(
            defs, branch, repo, sources_dir, project, work, dict(settings.storage_options)
        )
        if not plan.assets:
            return BuildOutcome(plan, [], [])
        started = datetime.now(UTC)
        failed, checks = [], []
        if plan.silver:
            failed = materialize_days(
                defs, settings, start, end, ",".join(plan.silver), instance_home=instance_home
            )
            instance = open_instance(settings, instance_home)
            checks = check_outcomes(instance, defs, plan.silver, started.timestamp())
        if plan.gold is not None and plan.gold.models and not failed:
            window = None
            if start is not None and end is not None:
                landing = DateWindow(start, end)
                window = rebuild_window(settings.root, landing, settings.storage_options) or landing
            limit = settings.duckdb_memory_limit
            gold = build_gold(project, settings.root, plan.gold, window, work, limit)
            failed += gold.failed
            checks += gold.checks
    outcome = BuildOutcome(plan, failed, checks)
    branch.builds.append(
        {
            "at": started.isoformat(timespec="seconds"),
            "by": settings.user,
            "assets": plan.assets,
            "reasons": plan.reasons,
            "not_built": plan.not_built,
            "days": [str(start or ""), str(end or "")],
            "failed": failed,
            "checks": checks,
            "ok": outcome.ok,
            "mart_keys": plan.gold.keys if plan.gold is not None else {},
        }
    )
    save_branch(branch, settings.storage_options)
    return outcome
