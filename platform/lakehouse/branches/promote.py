"""Promote a branch's tables to its base, all or nothing, and roll a promotion back.

Every table the branch changed is written to the base as one new Delta version (an overwrite
with the branch table's rows, through ``DeltaStore``), in dependency order. Before the first
write every base table must still be at the version the branch pinned, and the branch's
last build must have passed every blocking check. If any write fails, every table already
promoted is restored to its pre-promotion version, so readers see all of the change or none
of it once the command returns (between commits a reader may see a prefix of the tables).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lakehouse.branches.diff import TableDiff
from lakehouse.branches.pins import Branch, BranchError, append_audit, read_audit
from lakehouse.lake.reader import DeltaReader, arrow_dataset
from lakehouse.lake.store import DeltaStore
from lakehouse.settings import Settings

_LAYER_ORDER = {"bronze": 0, "quarantine": 1, "silver": 2, "gold": 3}


def promotion_order(tables: Sequence[str]) -> list[str]:
    """Upstream first: layer order, a fact's history before its current table, then by name."""

    def rank(name: str) -> tuple[int, int, str]:
        layer, table = name.split("/", 1)
        return _LAYER_ORDER.get(layer, 9), 0 if table.endswith("_history") else 1, table

    return sorted(tables, key=rank)


@dataclass(frozen=True)
class Promotion:
    """What a promotion wrote: table -> (base version before, base version after)."""

    branch: str
    versions: dict[str, tuple[int | None, int]]
    audit_uri: str


def _refusals(branch: Branch, store: DeltaReader, tables: Sequence[str]) -> list[str]:
    problems = []
    if not branch.builds:
        problems.append(f"branch {branch.name} was never built: run `lakehouse branch build`")
    elif not branch.builds[-1].get("ok", False):
        last = branch.builds[-1]
        failed = [f"{c['asset']}:{c['check']}" for c in last.get("checks", []) if c["blocking"]]
        failed = [
            f for f, c in zip(failed, last.get("checks", []), strict=False) if not c["passed"]
        ]
        problems.append(
            f"branch {branch.name}'s last build failed (days {last.get('failed') or 'none'}, "
            f"blocking checks {', '.join(failed) or 'none'}): fix and rebuild first"
        )
    for table in tables:
        pinned = branch.tables.get(table)
        if pinned is None:
            continue
        now = store.table(table).version() if store.exists(table) else None
        if now != pinned:
            problems.append(
                f"{table}: the base moved from version {pinned} to {now} since the branch was "
                f"made: rebuild first (drop the branch, create it again, build)"
            )
    return problems


def promote(
    settings: Settings, branch: Branch, diffs: Sequence[TableDiff], commit: str
) -> Promotion:
    """Publish the branch's changed tables to the base; restore them all if one write fails.

    Raises ``BranchError`` (nothing written) when the branch's build failed, a base table
    moved past its pin, or nothing differs; re-raises a write's error after the restore.
    """
    changed = promotion_order([d.table for d in diffs if d.differs])
    if not changed:
        raise BranchError(f"branch {branch.name} does not differ from its base: nothing to promote")
    base = DeltaStore(branch.base_root, settings.storage_options)
    own = DeltaReader(branch.root, settings.storage_options)
    problems = _refusals(branch, base, changed)
    if problems:
        raise BranchError("; ".join(problems))
    summary = {d.table: _summary(d) for d in diffs if d.differs}
    when = datetime.now(UTC).isoformat(timespec="seconds")
    versions: dict[str, tuple[int | None, int]] = {}
    try:
        for table in changed:
            metadata = {
                "lakehouse.promoted_from": branch.name,
                "lakehouse.promoted_by": settings.user,
                "lakehouse.promoted_at": when,
                "lakehouse.git_commit": commit,
                "lakehouse.diff": json.dumps(summary[table], sort_keys=True),
            }
            source = own.table(table)
            before = branch.tables.get(table)
            result = base.overwrite(
                table,
                arrow_dataset(source).to_table(),
                source.metadata().partition_columns or None,
                commit_metadata=metadata,
            )
            versions[table] = (before, result.version)
    except Exception:
        _restore(base, versions, f"promotion of branch {branch.name} failed", settings.user)
        raise
    record = {
        "action": "promote",
        "branch": branch.name,
        "at": when,
        "by": settings.user,
        "commit": commit,
        "tables": {t: {"before": b, "after": a} for t, (b, a) in versions.items()},
        "diff": summary,
    }
    return Promotion(branch.name, versions, append_audit(settings, record))


def _summary(diff: TableDiff) -> dict[str, Any]:
    return {
        "rows": [diff.base_rows, diff.branch_rows],
        "changed_rows": diff.changed_rows,
        "only_in_base": diff.only_in_base,
        "only_in_branch": diff.only_in_branch,
        "added_columns": diff.added_columns,
        "columns": diff.column_changes,
    }


def _restore(
    base: DeltaStore, versions: dict[str, tuple[int | None, int]], reason: str, user: str
) -> list[str]:
    """Restore each table to its version before; returns the tables created (left as they are)."""
    created = []
    for table, (before, _after) in reversed(list(versions.items())):
        if before is None:
            created.append(table)
            continue
        base.restore(table, before, {"lakehouse.rollback_reason": reason, "lakehouse.user": user})
    return created


def rollback(settings: Settings, name: str) -> dict[str, Any]:
    """Restore every table of the branch's last promotion to its pre-promotion version.

    Raises ``BranchError`` when the branch has no promotion to roll back, or a table was
    written again after the promotion (restoring would drop that write).
    """
    records = [r for r in read_audit(settings) if r.get("branch") == name]
    if not records or records[-1]["action"] != "promote":
        raise BranchError(f"branch {name} has no promotion to roll back (see _promotions.jsonl)")
    last = records[-1]
    base = DeltaStore(settings.base_root or settings.root, settings.storage_options)
    moved = [
        f"{t} (now version {base.table(t).version()}, promoted as {v['after']})"
        for t, v in last["tables"].items()
        if base.table(t).version() != v["after"]
    ]
    if moved:
        raise BranchError(
            f"cannot roll back branch {name}: {', '.join(moved)} changed after the promotion; "
            "roll those tables back one by one with `lakehouse rollback`"
        )
    versions = {t: (v["before"], v["after"]) for t, v in last["tables"].items()}
    created = _restore(base, versions, f"rollback of branch {name}", settings.user)
    record = {
        "action": "rollback",
        "branch": name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": settings.user,
        "tables": last["tables"],
        "left_in_place": created,
    }
    append_audit(settings, record)
    return record
