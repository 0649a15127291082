"""Load the contracts as they are at a git revision (or in the working tree) and compare them.

Every kind of contract is a ``ContractFolder``: a folder of the repository, a file pattern and
a parser from text to the neutral ``Contract``. Source declarations are registered today;
gold marts' dbt YAML files are registered too (``contracts/gold.py``).
"""

from __future__ import annotations

import fnmatch
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lakehouse.contracts.diff import (
    Change,
    ColumnContract,
    Contract,
    Setting,
    Severity,
    diff_contracts,
)
from lakehouse.contracts.gold import parse_mart_contract
from lakehouse.sources import SourceSpec, parse_source

Parser = Callable[[str, str], Contract]
"""``parse(text, origin) -> Contract``; raises ``ValueError`` naming ``origin`` when invalid."""


class RevisionError(ValueError):
    """A git revision or repository cannot be read; the message says which and what to do."""


@dataclass(frozen=True)
class ContractFolder:
    """Contracts of one kind: ``folder`` (relative to the repository root) / ``pattern``."""

    folder: str
    parse: Parser
    pattern: str = "*.yaml"


_QUALITY_RULES: dict[str, Setting] = {
    "quality.schema_drift": Setting(None, "raised", levels=("additive", "strict")),
    "quality.error_budget": Setting(None, "lowered"),
}
"""Blocking quality settings; the other quality settings feed non-blocking checks."""


def _flatten(prefix: str, value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(f"{prefix}.{key}", item))
        return out
    return {prefix: tuple(value) if isinstance(value, list) else value}


def source_contract(spec: SourceSpec) -> Contract:
    """The contract a source declaration makes with its producers and silver's readers."""
    columns = tuple(
        ColumnContract(
            name=c.name,
            type=c.type,
            nullable=c.nullable,
            unique=c.unique,
            accepted_values=tuple(c.accepted_values) if c.accepted_values is not None else None,
            min=c.min,
            max=c.max,
            references=c.references,
            pii=c.pii,
            landed_name=c.landed_name,
            description=c.description,
        )
        for c in spec.columns
    )
    settings = {
        "keys": Setting(tuple(spec.keys)),
        "kind": Setting(spec.kind),
        "business_date": Setting(spec.business_date),
        "order_by": Setting(spec.order_by, "never"),
        "description": Setting(spec.description, "never"),
        "owner": Setting(spec.owner, "never"),
    }
    landing = _flatten("landing", spec.landing.model_dump())
    settings.update({name: Setting(value) for name, value in landing.items()})
    for name, value in _flatten("quality", spec.quality.model_dump()).items():
        rule = _QUALITY_RULES.get(name, Setting(None, "never"))
        settings[name] = Setting(value, rule.breaking_when, rule.levels)
    return Contract(name=spec.name, columns=columns, settings=settings)


def parse_source_contract(text: str, origin: str) -> Contract:
    """Parse a source declaration (``sources/*.yaml``) into its contract."""
    return source_contract(parse_source(text, origin))


CONTRACT_FOLDERS: tuple[ContractFolder, ...] = (
    ContractFolder("platform/lakehouse/sources", parse_source_contract),
    ContractFolder("dbt_project/models/marts", parse_mart_contract, "*.yml"),
)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise RevisionError("git is not installed or not on PATH") from None


def resolve_revision(root: Path, ref: str) -> str:
    """The commit id ``ref`` names in the repository at ``root``.

    Raises ``RevisionError`` if ``root`` is not a git repository or ``ref`` does not exist.
    """
    if not ref or ref.startswith("-"):
        raise RevisionError(f"{ref!r} is not a git revision")
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0:
        raise RevisionError(f"{root} is not a git repository: pass --repo <checkout>")
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise RevisionError(
            f"git revision {ref!r} not found in {root}: fetch it (e.g. `git fetch origin main`) "
            "or pass another --base"
        )
    return found.stdout.decode().strip()


def first_revision(root: Path, refs: Sequence[str]) -> tuple[str, str]:
    """The first of ``refs`` that exists, as (ref, commit id); raises ``RevisionError`` if none."""
    errors = []
    for ref in refs:
        try:
            return ref, resolve_revision(root, ref)
        except RevisionError as exc:
            errors.append(str(exc))
    raise RevisionError("; ".join(errors) or "no revision given")


def files_at_revision(root: Path, commit: str, folder: ContractFolder) -> dict[str, str]:
    """Path (relative to the root) -> text of the folder's contract files at ``commit``."""
    listing = _git(
        root, "ls-tree", "-z", "--name-only", "--full-tree", commit, "--", folder.folder + "/"
    )
    if listing.returncode != 0:
        raise RevisionError(f"cannot list {folder.folder} at {commit}: {listing.stderr.decode()}")
    files: dict[str, str] = {}
    for path in filter(None, listing.stdout.decode().split("\0")):
        if not fnmatch.fnmatch(PurePosixPath(path).name, folder.pattern):
            continue
        shown = _git(root, "show", f"{commit}:{path}")
        if shown.returncode != 0:
            raise RevisionError(f"cannot read {path} at {commit}: {shown.stderr.decode()}")
        files[path] = shown.stdout.decode("utf-8")
    return files


def files_in_worktree(root: Path, folder: ContractFolder) -> dict[str, str]:
    """Path (relative to the root) -> text of the folder's contract files on disk."""
    directory = root / folder.folder
    return {
        f"{folder.folder}/{p.name}": p.read_text(encoding="utf-8")
        for p in sorted(directory.glob(folder.pattern))
        if p.is_file()
    }


@dataclass(frozen=True)
class DiffReport:
    """The contract changes between a base revision and a head (revision or working tree)."""

    base: str
    head: str
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        """The breaking changes."""
        return [c for c in self.changes if c.severity is Severity.BREAKING]

    def render(self) -> str:
        """The report as text: breaking changes first, then the others, then a summary."""
        lines = [f"contracts diff: {self.base} → {self.head}"]
        ordered = self.breaking + [c for c in self.changes if c.severity is not Severity.BREAKING]
        lines += [str(c) for c in ordered]
        lines += [f"WARNING      {w}" for w in self.warnings]
        non_breaking = len(self.changes) - len(self.breaking)
        lines.append(f"{len(self.breaking)} breaking, {non_breaking} non-breaking change(s)")
        if self.breaking:
            lines.append(
                "Breaking changes need the producers and readers of these tables to agree first: "
                "make the change additive (add a new column, keep the old one until readers "
                "move), or announce it and merge with the owners' approval."
            )
        return "\n".join(lines)


def _parse_all(files: Mapping[str, str], parse: Parser) -> dict[str, Contract]:
    return {path: parse(text, path) for path, text in files.items()}


def compare_revisions(
    root: Path,
    base: str | Sequence[str],
    head: str | None = None,
    folders: Iterable[ContractFolder] = CONTRACT_FOLDERS,
) -> DiffReport:
    """Compare every contract at ``base`` with ``head`` (a revision, or None: the working tree).

    ``base`` may be several refs: the first that exists is used (e.g. origin/main, main, HEAD).
    A base file the current parser rejects is skipped with a warning (the model may have moved
    on); a head file it rejects raises, since the platform would not load it either.

    Raises:
        RevisionError: not a repository, or no such revision.
        ValueError: a contract at ``head`` is invalid (the message names the file).
    """
    refs = [base] if isinstance(base, str) else list(base)
    base_ref, base_commit = first_revision(root, refs)
    base_label = f"{base_ref} ({base_commit[:10]})"
    if base_ref != refs[0]:
        base_label += f", since {', '.join(refs[: refs.index(base_ref)])} not found"
    head_commit = resolve_revision(root, head) if head is not None else None
    head_label = f"{head} ({head_commit[:10]})" if head_commit else f"working tree ({root})"
    changes: list[Change] = []
    warnings: list[str] = []
    for folder in folders:
        head_files = (
            files_at_revision(root, head_commit, folder)
            if head_commit
            else files_in_worktree(root, folder)
        )
        new = _parse_all(head_files, folder.parse)
        old: dict[str, Contract] = {}
        unparsable: set[str] = set()
        for path, text in files_at_revision(root, base_commit, folder).items():
            try:
                old[path] = folder.parse(text, path)
            except ValueError as exc:
                unparsable.add(path)
                warnings.append(f"{path}: base version not comparable (does not parse: {exc})")
        for path in sorted((set(old) | set(new)) - unparsable):
            changes += diff_contracts(old.get(path), new.get(path), path)
    return DiffReport(base=base_label, head=head_label, changes=changes, warnings=warnings)
