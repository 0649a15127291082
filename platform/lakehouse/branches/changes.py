"""Which source declarations a change touches, versus the commit a branch was made at."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import dagster as dg

from lakehouse.contracts.diff import diff_contracts
from lakehouse.contracts.revisions import CONTRACT_FOLDERS, files_at_revision, source_contract
from lakehouse.sources import SourceDeclarationError, SourceSpec, load_source, parse_source

SOURCES_FOLDER = CONTRACT_FOLDERS[0]
"""``platform/lakehouse/sources/*.yaml`` in the repository."""


@dataclass(frozen=True)
class SourceChange:
    """A source whose declaration differs from the base commit's, and how."""

    name: str
    reasons: list[str]


def _specs_at(repo: Path, commit: str) -> dict[str, SourceSpec]:
    specs = {}
    for path, text in files_at_revision(repo, commit, SOURCES_FOLDER).items():
        try:
            specs[PurePosixPath(path).stem] = parse_source(text, f"{commit[:10]}:{path}")
        except SourceDeclarationError:
            continue  # a base file today's parser rejects counts as changed
    return specs


def changed_sources(sources_dir: Path, repo: Path, commit: str) -> list[SourceChange]:
    """The declarations in ``sources_dir`` that differ from ``commit``'s, with the reasons.

    Reuses the contracts diff for the reasons; a difference it does not describe (a
    transform, an expression) is reported as "declaration changed".
    """
    base = _specs_at(repo, commit)
    changes = []
    for path in sorted(sources_dir.glob("*.yaml")):
        spec = load_source(path)
        before = base.get(spec.name)
        if before is not None and before.model_dump() == spec.model_dump():
            continue
        old = source_contract(before) if before is not None else None
        reasons = [
            f"{c.column + ': ' if c.column else ''}{c.message}"
            for c in diff_contracts(old, source_contract(spec), path.name)
        ]
        changes.append(SourceChange(spec.name, reasons or ["declaration changed"]))
    return changes


def downstream(defs: dg.Definitions, keys: list[dg.AssetKey]) -> list[dg.AssetKey]:
    """``keys`` and every asset downstream of them, sorted (``key:x+`` without a depth)."""
    graph = defs.resolve_asset_graph()
    found = dg.AssetSelection.assets(*keys).downstream().resolve(graph)
    return sorted(found, key=lambda k: k.to_user_string())
