"""Which landing days to (re)build: the landing sensor's decisions, without Dagster.

The cursor remembers, per day and source, the fingerprint of the files last handed to a run.
A source whose fingerprint changed (new, re-delivered or removed file) is rebuilt for that
day, once per file version; the same files are never handed over twice. A day that has never
run waits until every declared source has delivered, or until the delivery deadline passes
(then it runs what is there and the missing sources run on arrival).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from lakehouse.landing.scan import Delivery

CURSOR_VERSION = 1


@dataclass(frozen=True)
class LandingCursor:
    """Fingerprints handed to runs (``handled[day][source]``) and when waiting days were seen."""

    handled: dict[str, dict[str, str]] = field(default_factory=dict)
    waiting_since: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        """Compact JSON for the Dagster sensor cursor."""
        return json.dumps(
            {"v": CURSOR_VERSION, "handled": self.handled, "waiting_since": self.waiting_since},
            sort_keys=True,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | None) -> LandingCursor:
        """The cursor stored by :meth:`to_json`; empty for ``None`` or an older format."""
        if not text:
            return cls()
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("v") != CURSOR_VERSION:
            return cls()
        return cls(dict(data.get("handled", {})), dict(data.get("waiting_since", {})))


@dataclass(frozen=True)
class DayRun:
    """A run to request: ``sources`` of ``day`` changed since they were last handled."""

    day: date
    sources: tuple[str, ...]
    fingerprint: str
    missing: tuple[str, ...] = ()

    @property
    def run_key(self) -> str:
        """Unique per day and file versions: Dagster never launches the same key twice."""
        return f"landing:{self.day.isoformat()}:{self.fingerprint}"


@dataclass(frozen=True)
class RunBatch:
    """Day runs requested as one run over their consecutive days (a partition range)."""

    runs: tuple[DayRun, ...]

    @property
    def first(self) -> date:
        """The batch's first day."""
        return self.runs[0].day

    @property
    def last(self) -> date:
        """The batch's last day."""
        return self.runs[-1].day

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources the batch rebuilds (the same for each of its days)."""
        return self.runs[0].sources

    @property
    def missing(self) -> tuple[str, ...]:
        """Declared sources absent from a one-day batch (a batch of days lacks none)."""
        return self.runs[0].missing

    @property
    def fingerprint(self) -> str:
        """The day's fingerprint, or one over the days' fingerprints."""
        if len(self.runs) == 1:
            return self.runs[0].fingerprint
        joined = ";".join(f"{r.day}={r.fingerprint}" for r in self.runs)
        return hashlib.sha256(joined.encode()).hexdigest()[:12]

    @property
    def days(self) -> str:
        """``YYYY-MM-DD`` for one day, ``first..last`` for a range."""
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    @property
    def run_key(self) -> str:
        """Unique per days and file versions (a one-day batch keeps its day's run key):
        Dagster never launches the same key twice."""
        return f"landing:{self.days}:{self.fingerprint}"


def _continues(group: list[DayRun], run: DayRun) -> bool:
    previous = group[-1] if group else None
    return (
        previous is not None
        and run.day - previous.day == timedelta(days=1)
        and run.sources == previous.sources
        and not run.missing
        and not previous.missing
    )


def _split(group: list[DayRun], parallel: int | None, longest: int) -> list[RunBatch]:
    """``group`` (consecutive days) cut into ``parallel`` batches of near-equal length, more
    when a batch would exceed ``longest`` days; one batch per day without a run limit."""
    n = len(group)
    parts = n if parallel is None else max(min(parallel, n), math.ceil(n / longest))
    sizes = [n // parts + (1 if i < n % parts else 0) for i in range(parts)]
    batches, start = [], 0
    for size in sizes:
        batches.append(RunBatch(tuple(group[start : start + size])))
        start += size
    return batches


def batch_runs(runs: Sequence[DayRun], parallel: int | None, longest: int) -> list[RunBatch]:
    """The runs to request for this tick's day runs.

    Complete days landing together (consecutive, the same sources) share out ``parallel``
    runs of consecutive days (the instance's run limit), at most ``longest`` days each: a
    catch-up (the first start's seeded days, a day's files after an outage) fills every run
    slot and pays a run's fixed costs once per range instead of once per day. ``parallel``
    None (no run limit) keeps one run per day; a partial day always runs alone.
    """
    batches: list[RunBatch] = []
    group: list[DayRun] = []
    for run in sorted(runs, key=lambda r: r.day):
        if group and not _continues(group, run):
            batches.extend(_split(group, parallel, longest))
            group = []
        group.append(run)
    if group:
        batches.extend(_split(group, parallel, longest))
    return batches


@dataclass(frozen=True)
class Plan:
    """The sensor's decision for one tick."""

    runs: list[DayRun]
    waiting: list[str]
    cursor: LandingCursor


def _fingerprint(deliveries: Sequence[Delivery]) -> str:
    digest = hashlib.sha256()
    for d in sorted(deliveries, key=lambda d: d.source):
        digest.update(f"{d.source}={d.fingerprint};".encode())
    return digest.hexdigest()[:12]


def _at(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def plan_runs(
    inventory: Mapping[date, Mapping[str, Delivery]],
    declared: Sequence[str],
    cursor: LandingCursor,
    now: datetime,
    *,
    last_day: date | None,
    since: date,
    deadline: timedelta,
    settle: timedelta = timedelta(0),
) -> Plan:
    """Decide the runs for this tick and the next cursor.

    ``last_day`` is the newest day that is a partition (later days wait for theirs); ``since``
    the oldest day watched (older cursor entries are dropped). Files younger than ``settle``
    may still be being written: their day waits a tick.
    """
    handled = {d: dict(s) for d, s in cursor.handled.items() if date.fromisoformat(d) >= since}
    waiting_since = {
        d: t for d, t in cursor.waiting_since.items() if date.fromisoformat(d) >= since
    }
    runs: list[DayRun] = []
    waiting: list[str] = []
    for day in sorted(inventory):
        key = day.isoformat()
        deliveries = inventory[day]
        done = handled.get(key, {})
        changed = [d for s, d in sorted(deliveries.items()) if done.get(s) != d.fingerprint]
        if not changed or day < since:
            continue
        if last_day is None or day > last_day:
            opens = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
            waiting.append(f"{key}: waits for its partition, which opens at {_at(opens)}")
            continue
        newest = datetime.fromtimestamp(max(d.newest_ns for d in changed) / 1e9, UTC)
        if now - newest < settle:
            waiting.append(f"{key}: files still arriving (last change {_at(newest)})")
            continue
        missing = tuple(s for s in declared if s not in deliveries)
        if missing and key not in handled:
            first_seen = datetime.fromisoformat(waiting_since.get(key, _at(now)))
            if now - first_seen < deadline:
                waiting_since[key] = _at(first_seen)
                waiting.append(
                    f"{key}: incomplete delivery, waiting for {', '.join(missing)} "
                    f"(has {', '.join(sorted(deliveries))}); runs what is there at "
                    f"{_at(first_seen + deadline)} (delivery deadline)"
                )
                continue
        runs.append(DayRun(day, tuple(d.source for d in changed), _fingerprint(changed), missing))
        handled[key] = {**done, **{d.source: d.fingerprint for d in changed}}
        waiting_since.pop(key, None)
    return Plan(runs, waiting, LandingCursor(handled, waiting_since))
