"""Which code ran: the git commit of the checkout, and the run tags that record it."""

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

CODE_VERSION_TAG = "lakehouse/code_version"
"""Run tag: the git commit the run's code was built from."""
COMMITTED_AT_TAG = "lakehouse/committed_at"
"""Run tag: that commit's time (ISO 8601), so lead time needs no git at computation time."""
OPERATION_TAG = "lakehouse/operation"
"""Run tag: ``rollback`` marks a rollback run (it counts against the deployment before it)."""


@dataclass(frozen=True)
class Commit:
    """One git commit: its hash and commit time (UTC)."""

    sha: str
    committed_at: datetime

    def tags(self) -> dict[str, str]:
        """The run tags recording this commit."""
        return {
            CODE_VERSION_TAG: self.sha,
            COMMITTED_AT_TAG: self.committed_at.isoformat(timespec="seconds"),
        }


def _git(repo: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _parse(lines: str) -> list[Commit]:
    commits = []
    for line in lines.splitlines():
        sha, _, when = line.strip().partition(" ")
        if sha and when:
            commits.append(Commit(sha, datetime.fromisoformat(when).astimezone(UTC)))
    return commits


def head_commit(repo: Path) -> Commit | None:
    """The checked-out commit of ``repo``; None outside a git checkout (e.g. a wheel install)."""
    out = _git(repo, "log", "-1", "--format=%H %cI")
    found = _parse(out or "")
    return found[0] if found else None


def recent_commits(repo: Path, limit: int = 1000) -> list[Commit]:
    """The newest ``limit`` commits of ``repo``'s HEAD, newest first (empty without git)."""
    return _parse(_git(repo, "log", f"-{limit}", "--format=%H %cI") or "")


def commit_at(commits: list[Commit], when: datetime) -> Commit | None:
    """The newest commit made at or before ``when``: the code a run without a version tag is
    attributed to (the checkout is presumed to have been at HEAD when the run started)."""
    earlier = [c for c in commits if c.committed_at <= when]
    return max(earlier, key=lambda c: c.committed_at) if earlier else None
