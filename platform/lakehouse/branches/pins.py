"""Create, list, read and drop branch lakehouses; their pins live in ``<branch>/_branch.json``."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from deltalake import DeltaTable
from pyarrow import fs

from lakehouse.contracts.revisions import RevisionError, resolve_revision
from lakehouse.lake.catalog import discover_tables
from lakehouse.lake.filesystems import filesystem_for
from lakehouse.lake.reader import BRANCH_FILE, read_branch_pins
from lakehouse.settings import BRANCHES_FOLDER, Settings

PROMOTIONS_FILE = "_promotions.jsonl"
"""The audit trail of promotions and rollbacks: ``<root>/_branches/_promotions.jsonl``."""


class BranchError(ValueError):
    """A branch command cannot proceed; the message says which branch, why and what to do."""


@dataclass(frozen=True)
class Branch:
    """A branch lakehouse: where it lives and what it reads from the base."""

    name: str
    root: str
    base_root: str
    base_env: str
    tables: dict[str, int]
    """Base table (``silver/orders``) -> the Delta version the branch reads."""
    created_at: str
    created_by: str
    commit: str
    builds: list[dict[str, Any]] = field(default_factory=list)

    @property
    def built(self) -> list[str]:
        """Tables the branch's builds wrote (``silver/orders``), in build order, unique."""
        seen: dict[str, None] = {}
        for build in self.builds:
            seen.update(dict.fromkeys(build.get("assets", [])))
        return list(seen)

    def as_json(self) -> dict[str, Any]:
        """What ``_branch.json`` holds."""
        return {
            "name": self.name,
            "base_root": self.base_root,
            "base_env": self.base_env,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "commit": self.commit,
            "tables": self.tables,
            "builds": self.builds,
        }


def base_root(settings: Settings) -> str:
    """The root branches are made from and promoted to (the settings' root without a branch)."""
    return settings.base_root or settings.root


def branch_root(settings: Settings, name: str) -> str:
    """``<base root>/_branches/<name>``."""
    return f"{base_root(settings)}/{BRANCHES_FOLDER}/{name}"


def write_text(uri: str, text: str, storage_options: Mapping[str, str]) -> None:
    """Write ``text`` to the file at ``uri`` (a folder or object store), creating folders."""
    filesystem, path = filesystem_for(uri, storage_options)
    parent = path.rpartition("/")[0]
    if parent:
        filesystem.create_dir(parent, recursive=True)
    with filesystem.open_output_stream(path) as stream:
        stream.write(text.encode("utf-8"))


def save_branch(branch: Branch, storage_options: Mapping[str, str]) -> None:
    """Write the branch's ``_branch.json``."""
    text = json.dumps(branch.as_json(), indent=2, sort_keys=True)
    write_text(f"{branch.root}/{BRANCH_FILE}", text, storage_options)


def load_branch(settings: Settings, name: str) -> Branch:
    """The branch ``name`` of the settings' base; raises ``BranchError`` if it does not exist."""
    root = branch_root(settings, name)
    pins = read_branch_pins(root, settings.storage_options)
    if not pins:
        raise BranchError(
            f"no branch {name!r} under {base_root(settings)}/{BRANCHES_FOLDER}: "
            f"create it with `lakehouse branch create {name}` (see `lakehouse branch list`)"
        )
    return Branch(
        name=name,
        root=root,
        base_root=pins["base_root"],
        base_env=pins.get("base_env", ""),
        tables={k: int(v) for k, v in pins.get("tables", {}).items()},
        created_at=pins.get("created_at", ""),
        created_by=pins.get("created_by", ""),
        commit=pins.get("commit", ""),
        builds=list(pins.get("builds", [])),
    )


def create_branch(settings: Settings, name: str, commit: str, base_env: str = "") -> Branch:
    """Pin every Delta table of the base at its current version and write ``_branch.json``.

    Nothing is copied: the branch reads the pinned versions until it writes a table itself.
    Raises ``BranchError`` if the branch exists, or the base holds no table.
    """
    if settings.branch:
        raise BranchError(
            f"LAKEHOUSE_BRANCH={settings.branch} is set: branches are made from a base "
            "lakehouse; unset it to create a branch"
        )
    root = branch_root(settings, name)
    if read_branch_pins(root, settings.storage_options):
        raise BranchError(f"branch {name!r} exists at {root}: drop it first or pick a new name")
    base = base_root(settings)
    found = discover_tables(base, settings.storage_options)
    if not found:
        raise BranchError(f"no Delta tables under {base}: materialise the base first")
    options = dict(settings.storage_options) or None
    tables = {
        name.replace(".", "/"): DeltaTable(uri, storage_options=options).version()
        for name, uri in found.items()
    }
    branch = Branch(
        name=name,
        root=root,
        base_root=base,
        base_env=base_env or settings.env.value,
        tables=tables,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        created_by=settings.user,
        commit=commit,
    )
    save_branch(branch, settings.storage_options)
    return branch


def list_branches(settings: Settings) -> list[Branch]:
    """Every branch of the settings' base, by name."""
    filesystem, path = filesystem_for(
        f"{base_root(settings)}/{BRANCHES_FOLDER}", settings.storage_options
    )
    if filesystem.get_file_info(path).type != fs.FileType.Directory:
        return []
    entries = filesystem.get_file_info(fs.FileSelector(path))
    names = sorted(e.base_name for e in entries if e.type == fs.FileType.Directory)
    branches = []
    for name in names:
        with contextlib.suppress(BranchError):
            branches.append(load_branch(settings, name))
    return branches


def drop_branch(settings: Settings, name: str) -> None:
    """Delete the branch's folder (its own tables and pins); the base is never touched."""
    branch = load_branch(settings, name)
    filesystem, path = filesystem_for(branch.root, settings.storage_options)
    filesystem.delete_dir(path)


def append_audit(settings: Settings, record: Mapping[str, Any]) -> str:
    """Append one JSON line to ``<root>/_branches/_promotions.jsonl``; returns its URI."""
    uri = f"{base_root(settings)}/{BRANCHES_FOLDER}/{PROMOTIONS_FILE}"
    filesystem, path = filesystem_for(uri, settings.storage_options)
    before = ""
    with contextlib.suppress(FileNotFoundError), filesystem.open_input_stream(path) as stream:
        before = stream.read().decode("utf-8")
    line = json.dumps(dict(record), sort_keys=True) + "\n"
    write_text(uri, before + line, settings.storage_options)
    return uri


def read_text(uri: str, storage_options: Mapping[str, str]) -> str | None:
    """The text of the file at ``uri``, or None when there is none."""
    filesystem, path = filesystem_for(uri, storage_options)
    try:
        with filesystem.open_input_stream(path) as stream:
            return stream.read().decode("utf-8")
    except FileNotFoundError:
        return None


def read_audit(settings: Settings) -> list[dict[str, Any]]:
    """Every record of ``_promotions.jsonl``, oldest first."""
    uri = f"{base_root(settings)}/{BRANCHES_FOLDER}/{PROMOTIONS_FILE}"
    filesystem, path = filesystem_for(uri, settings.storage_options)
    try:
        with filesystem.open_input_stream(path) as stream:
            text = stream.read().decode("utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def git_commit(repo: Path) -> str:
    """The checkout's ``HEAD`` commit, or ``""`` outside git."""
    try:
        return resolve_revision(repo, "HEAD")
    except RevisionError:
        return ""
