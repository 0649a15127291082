"""SLA attainment per asset and day, from the freshness SLAs declared on the sources.

Partition D of an asset with an SLA is due at D+1 00:00 UTC plus the source's ``deadline``
(e.g. 06:00), or plus ``max_lag_hours`` without one: the same declaration the silver assets'
Dagster FreshnessPolicy is built from. A day is met when its partition landed by then; data
downtime is the time past the deadline until it landed (at most one day per day).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pyarrow as pa

from lakehouse.observability.tables import SLA_SCHEMA
from lakehouse.sources import SourceSpec

_DAY_MINUTES = 24 * 60.0


@dataclass(frozen=True)
class SlaTarget:
    """An asset whose partition D is due ``due_after`` past the end of D (UTC)."""

    asset: str
    due_after: timedelta

    def deadline(self, day: date) -> datetime:
        """When partition ``day`` is due."""
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC) + self.due_after


def sla_targets(specs: Sequence[SourceSpec]) -> list[SlaTarget]:
    """The silver assets' SLAs, from each source's ``quality.freshness``."""
    targets = []
    for spec in specs:
        freshness = spec.quality.freshness
        if freshness.deadline:
            hour, minute = (int(p) for p in freshness.deadline.split(":"))
            due = timedelta(hours=hour, minutes=minute)
        else:
            due = timedelta(hours=freshness.max_lag_hours)
        targets.append(SlaTarget(f"silver/{spec.name}", due))
    return targets


def _status(landed: datetime | None, deadline: datetime, failed: bool, blocked: bool) -> str:
    if landed is not None and landed <= deadline:
        return "met"
    if blocked:
        return "blocked"
    if failed:
        return "failed"
    return "late" if landed is not None else "missing"


def sla_daily(events: pa.Table, targets: Sequence[SlaTarget], now: datetime) -> pa.Table:
    """Per target asset and day (from its first partition seen to the last one due by
    ``now``): deadline, when it landed, status, margin and data downtime (``SLA_SCHEMA``)."""
    landed: dict[tuple[str, str], datetime] = {}
    failed: set[tuple[str, str]] = set()
    blocked: set[tuple[str, str]] = set()
    first: dict[str, date] = {}
    for e in events.to_pylist():
        if not e["partition"]:
            continue
        key = (e["asset"], e["partition"])
        if e["kind"] == "materialization":
            if key not in landed or e["timestamp"] < landed[key]:
                landed[key] = e["timestamp"]
            try:
                day = date.fromisoformat(e["partition"])
            except ValueError:
                continue
            first[e["asset"]] = min(first.get(e["asset"], day), day)
        elif e["kind"] == "failure":
            failed.add(key)
        elif e["kind"] == "check" and e["passed"] is False and e["blocking"]:
            blocked.add(key)
    rows = []
    for target in targets:
        if target.asset not in first:
            continue
        day = first[target.asset]
        while (deadline := target.deadline(day)) <= now:
            key = (target.asset, day.isoformat())
            at = landed.get(key)
            status = _status(at, deadline, key in failed, key in blocked)
            late_minutes = ((at or now) - deadline).total_seconds() / 60
            rows.append(
                {
                    "asset": target.asset,
                    "day": day,
                    "deadline": deadline,
                    "landed_at": at,
                    "status": status,
                    "met": status == "met",
                    "margin_minutes": None if at is None else -late_minutes,
                    "downtime_minutes": min(max(late_minutes, 0.0), _DAY_MINUTES),
                }
            )
            day += timedelta(days=1)
    return pa.Table.from_pylist(rows, schema=SLA_SCHEMA)


def attainment(sla: pa.Table) -> dict[str, float]:
    """Share of days met, per asset."""
    met: dict[str, list[bool]] = defaultdict(list)
    for row in sla.select(["asset", "met"]).to_pylist():
        met[row["asset"]].append(bool(row["met"]))
    return {asset: sum(days) / len(days) for asset, days in sorted(met.items())}
