"""Roll a Delta table back to an earlier version or point in time, with the reason on record.

A rollback is a Delta ``RESTORE``: a new commit whose files are those of the earlier version.
Nothing is deleted, so a rollback can itself be rolled back; the reason and user are written
into the commit's metadata and show in ``lakehouse history``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from deltalake.exceptions import DeltaError

from lakehouse.lake import DeltaStore, key_parts
from lakehouse.operations.history import REASON_KEY, USER_KEY, HistoryEntry, table_history


class RollbackError(ValueError):
    """A rollback was refused or failed; the message says which table, why and what to do."""


@dataclass(frozen=True)
class RestoreResult:
    """What a rollback did."""

    table: str
    uri: str
    restored_version: int
    previous_version: int
    version: int
    reason: str
    user: str
    files_removed: int | None = None
    files_restored: int | None = None

    def as_metadata(self) -> dict[str, str | int]:
        """Plain JSON-able metadata (Dagster events, logs)."""
        metadata: dict[str, str | int] = {
            "table": self.table,
            "table_uri": self.uri,
            "restored_version": self.restored_version,
            "previous_version": self.previous_version,
            "delta_version": self.version,
            "reason": self.reason,
            "user": self.user,
        }
        for name in ("files_removed", "files_restored"):
            value = getattr(self, name)
            if value is not None:
                metadata[name] = value
        return metadata


def parse_timestamp(value: str | datetime) -> datetime:
    """An ISO 8601 date or datetime as an aware datetime; without an offset it is UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise RollbackError(
                f"timestamp {value!r} is not ISO 8601; use e.g. '2026-01-02T06:00:00Z' "
                "or '2026-01-02 06:00' (UTC)"
            ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _describe(commits: Sequence[HistoryEntry]) -> str:
    oldest, newest = commits[-1], commits[0]
    return (
        f"versions {oldest.version}..{newest.version} "
        f"({oldest.timestamp:%Y-%m-%d %H:%M:%S} .. {newest.timestamp:%Y-%m-%d %H:%M:%S} UTC)"
    )


def _target_version(
    name: str, commits: Sequence[HistoryEntry], version: int | None, timestamp: datetime | None
) -> int:
    """The version to restore, checked against the commits that still exist."""
    available = {c.version for c in commits}
    if version is not None:
        if version not in available:
            raise RollbackError(
                f"{name} has no version {version}: it has {_describe(commits)}; "
                f"pick one with `lakehouse history {name}`"
            )
        return version
    assert timestamp is not None
    earlier = [c for c in commits if c.timestamp <= timestamp]
    if not earlier:
        raise RollbackError(
            f"{name} has no version at or before {timestamp.isoformat()}: it has "
            f"{_describe(commits)}"
        )
    return max(earlier, key=lambda c: c.version).version


def rollback(
    store: DeltaStore,
    key: Sequence[str] | str,
    *,
    version: int | None = None,
    timestamp: str | datetime | None = None,
    reason: str,
    user: str,
    extra_metadata: Mapping[str, str] | None = None,
) -> RestoreResult:
    """Restore the table for ``key`` to ``version``, or to the last version at ``timestamp``.

    Exactly one of ``version`` and ``timestamp`` is required (a timestamp without an offset is
    UTC), and a non-empty ``reason``. ``user`` defaults to ``LAKEHOUSE_USER`` / the login name.

    Raises:
        RollbackError: both or neither target given, empty reason, no such version or no
            version that early, the table is already at that version, or the restore failed
            (e.g. the version's data files were vacuumed).
        TableNotFoundError: no table for ``key``.
    """
    name = "/".join(key_parts(key))
    if (version is None) == (timestamp is None):
        raise RollbackError(
            f"rollback of {name}: give exactly one of a version (--to-version N) or a timestamp "
            "(--to-timestamp T)"
        )
    if not reason or not reason.strip():
        raise RollbackError(
            f"rollback of {name}: a reason is required (--reason 'why'); it is kept in the "
            "table history"
        )
    if version is not None and version < 0:
        raise RollbackError(f"rollback of {name}: version must be 0 or more, not {version}")
    table = store.table(key)
    commits = table_history(store, key)
    at = parse_timestamp(timestamp) if timestamp is not None else None
    target = _target_version(name, commits, version, at)
    current = table.version()
    if target == current:
        raise RollbackError(
            f"{name} is already at version {current}: nothing to roll back "
            f"(see `lakehouse history {name}`)"
        )
    metadata = {**(extra_metadata or {}), REASON_KEY: reason.strip(), USER_KEY: user}
    try:
        metrics, restored_as = store.restore(key, target, metadata)
    except DeltaError as exc:
        raise RollbackError(
            f"restoring {name} to version {target} failed: {exc}. If data files of that version "
            "were vacuumed, pick a newer version (`lakehouse history`)"
        ) from exc
    return RestoreResult(
        table=name,
        uri=store.uri(key),
        restored_version=target,
        previous_version=current,
        version=restored_as,
        reason=reason.strip(),
        user=user,
        files_removed=metrics.get("numRemovedFile"),
        files_restored=metrics.get("numRestoredFile"),
    )
