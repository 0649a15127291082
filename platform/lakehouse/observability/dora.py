"""DORA metrics of the data platform, as pure functions over the ``ops`` runs and events.

A deployment is a code version (git commit) on the day it first ran. Lead time for changes runs
from the commit to the first successful materialisation with that code. A deployment failed
when, before the next deployment, a run failed, a blocking check failed, or a rollback ran.
Time to restore runs from an asset partition's first failure to its next materialisation.
"""

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa

from lakehouse.observability.tables import DORA_SCHEMA


@dataclass(frozen=True)
class Deployment:
    """One code version: when it was committed, first ran and first succeeded; did it fail."""

    code_version: str
    committed_at: datetime | None
    first_run_at: datetime
    first_success_at: datetime | None
    failed: bool
    reasons: tuple[str, ...]

    @property
    def lead_time_hours(self) -> float | None:
        """Commit to first successful materialisation, in hours (None if either is unknown)."""
        if self.committed_at is None or self.first_success_at is None:
            return None
        return (self.first_success_at - self.committed_at).total_seconds() / 3600


@dataclass(frozen=True)
class Restore:
    """An asset partition that failed and was later materialised."""

    asset: str
    partition: str | None
    failed_at: datetime
    restored_at: datetime

    @property
    def minutes(self) -> float:
        """Time to restore, in minutes."""
        return (self.restored_at - self.failed_at).total_seconds() / 60


@dataclass(frozen=True)
class DoraSummary:
    """The four figures over a window of days."""

    days: int
    deployments: int
    failed_deployments: int
    lead_time_median_hours: float | None
    lead_time_p90_hours: float | None
    time_to_restore_median_minutes: float | None

    @property
    def deployments_per_week(self) -> float:
        """Deployment frequency."""
        return self.deployments * 7 / self.days if self.days else 0.0

    @property
    def change_failure_rate(self) -> float | None:
        """Share of deployments that failed (None without deployments)."""
        return self.failed_deployments / self.deployments if self.deployments else None


def quantile(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile with linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _inside(when: datetime, start: datetime, end: datetime | None) -> bool:
    return when >= start and (end is None or when < end)


def deployments(runs: pa.Table, events: pa.Table) -> list[Deployment]:
    """Every code version that ran, in the order it first ran."""
    run_rows = [r for r in runs.to_pylist() if r["code_version"]]
    version_of = {r["run_id"]: r["code_version"] for r in run_rows}
    first_run: dict[str, datetime] = {}
    committed: dict[str, datetime | None] = {}
    for row in run_rows:
        version = row["code_version"]
        if version not in first_run or row["start_time"] < first_run[version]:
            first_run[version] = row["start_time"]
        committed[version] = committed.get(version) or row["committed_at"]
    first_success: dict[str, datetime] = {}
    checks_failed: list[tuple[datetime, str]] = []
    for event in events.to_pylist():
        version = version_of.get(event["run_id"])
        if event["kind"] == "materialization" and version:
            when = event["timestamp"]
            if version not in first_success or when < first_success[version]:
                first_success[version] = when
        if event["kind"] == "check" and event["passed"] is False and event["blocking"]:
            checks_failed.append(
                (
                    event["timestamp"],
                    f"blocking check {event['asset']}:{event['check_name']} failed",
                )
            )
    ordered = sorted(first_run, key=lambda v: first_run[v])
    result = []
    for i, version in enumerate(ordered):
        start = first_run[version]
        end = first_run[ordered[i + 1]] if i + 1 < len(ordered) else None
        reasons = [
            f"run {r['run_id'][:8]} failed"
            if r["status"] == "FAILURE"
            else f"rollback run {r['run_id'][:8]}"
            for r in run_rows
            if _inside(r["start_time"], start, end)
            and (r["status"] == "FAILURE" or r["operation"] == "rollback")
        ]
        reasons += [reason for when, reason in checks_failed if _inside(when, start, end)]
        result.append(
            Deployment(
                code_version=version,
                committed_at=committed[version],
                first_run_at=start,
                first_success_at=first_success.get(version),
                failed=bool(reasons),
                reasons=tuple(reasons),
            )
        )
    return result


def restores(events: pa.Table) -> list[Restore]:
    """Each failure episode of an asset partition that a later materialisation ended."""
    by_partition: dict[tuple[str, str | None], list[dict]] = defaultdict(list)
    for event in events.to_pylist():
        if event["kind"] in ("materialization", "failure"):
            by_partition[(event["asset"], event["partition"])].append(event)
    result = []
    for (asset, partition), rows in sorted(by_partition.items(), key=lambda kv: str(kv[0])):
        failed_at: datetime | None = None
        for row in sorted(rows, key=lambda r: r["timestamp"]):
            if row["kind"] == "failure" and failed_at is None:
                failed_at = row["timestamp"]
            elif row["kind"] == "materialization" and failed_at is not None:
                result.append(Restore(asset, partition, failed_at, row["timestamp"]))
                failed_at = None
    return result


def dora_daily(runs: pa.Table, events: pa.Table) -> pa.Table:
    """One row per day with a deployment or a restore (``DORA_SCHEMA``)."""
    by_day: dict[date, list[Deployment]] = defaultdict(list)
    for deployment in deployments(runs, events):
        by_day[deployment.first_run_at.date()].append(deployment)
    restored: dict[date, list[Restore]] = defaultdict(list)
    for restore in restores(events):
        restored[restore.restored_at.date()].append(restore)
    rows = []
    for day in sorted(set(by_day) | set(restored)):
        deps = by_day.get(day, [])
        leads = [d.lead_time_hours for d in deps if d.lead_time_hours is not None]
        failed = sum(d.failed for d in deps)
        rows.append(
            {
                "day": day,
                "deployments": len(deps),
                "failed_deployments": failed,
                "change_failure_rate": failed / len(deps) if deps else None,
                "lead_time_median_hours": quantile(leads, 0.5),
                "lead_time_p90_hours": quantile(leads, 0.9),
                "restores": len(restored.get(day, [])),
                "time_to_restore_median_minutes": quantile(
                    [r.minutes for r in restored.get(day, [])], 0.5
                ),
            }
        )
    return pa.Table.from_pylist(rows, schema=DORA_SCHEMA)


def dora_summary(runs: pa.Table, events: pa.Table, first: date, last: date) -> DoraSummary:
    """The four figures over deployments first run, and restores done, from ``first`` to
    ``last`` (inclusive)."""
    deps = [d for d in deployments(runs, events) if first <= d.first_run_at.date() <= last]
    leads = [d.lead_time_hours for d in deps if d.lead_time_hours is not None]
    ttr = [r.minutes for r in restores(events) if first <= r.restored_at.date() <= last]
    return DoraSummary(
        days=(last - first).days + 1,
        deployments=len(deps),
        failed_deployments=sum(d.failed for d in deps),
        lead_time_median_hours=quantile(leads, 0.5),
        lead_time_p90_hours=quantile(leads, 0.9),
        time_to_restore_median_minutes=quantile(ttr, 0.5),
    )
