"""Days landing together share out the run slots as ranges of consecutive days."""

from __future__ import annotations

from datetime import date, timedelta

from lakehouse.operations.deliveries import DayRun, batch_runs

EVERY = ("customers", "orders")
START = date(2026, 1, 1)


def _days(n: int, sources: tuple[str, ...] = EVERY, first: date = START) -> list[DayRun]:
    return [DayRun(first + timedelta(days=i), sources, f"fp{i}") for i in range(n)]


def _spans(batches) -> list[tuple[int, int]]:
    return [((b.first - START).days, (b.last - START).days) for b in batches]


def test_seven_seeded_days_fill_two_run_slots_with_consecutive_ranges() -> None:
    batches = batch_runs(_days(7), parallel=2, longest=31)
    assert _spans(batches) == [(0, 3), (4, 6)]
    assert [len(b.runs) for b in batches] == [4, 3]


def test_without_a_run_limit_each_day_is_its_own_run() -> None:
    batches = batch_runs(_days(3), parallel=None, longest=31)
    assert _spans(batches) == [(0, 0), (1, 1), (2, 2)]
    assert [b.run_key for b in batches] == [r.run_key for r in _days(3)]


def test_one_day_keeps_the_day_run_key_and_fingerprint() -> None:
    [batch] = batch_runs(_days(1), parallel=4, longest=31)
    [day] = _days(1)
    assert (batch.run_key, batch.fingerprint, batch.first, batch.last) == (
        day.run_key,
        day.fingerprint,
        day.day,
        day.day,
    )


def test_more_slots_than_days_gives_a_run_per_day() -> None:
    assert _spans(batch_runs(_days(2), parallel=8, longest=31)) == [(0, 0), (1, 1)]


def test_a_range_never_exceeds_the_longest_run() -> None:
    batches = batch_runs(_days(40), parallel=1, longest=31)
    assert [len(b.runs) for b in batches] == [20, 20]
    assert _spans(batches) == [(0, 19), (20, 39)]


def test_gaps_different_sources_and_partial_days_break_a_range() -> None:
    runs = [
        *_days(2),  # days 0, 1
        *_days(2, first=START + timedelta(days=3)),  # a gap: days 3, 4
        DayRun(START + timedelta(days=5), ("orders",), "fp5"),  # other sources
        DayRun(START + timedelta(days=6), EVERY, "fp6", missing=("payments",)),  # partial
        DayRun(START + timedelta(days=7), EVERY, "fp7"),
    ]
    assert _spans(batch_runs(runs, parallel=1, longest=31)) == [
        (0, 1),
        (3, 4),
        (5, 5),
        (6, 6),
        (7, 7),
    ]


def test_a_range_run_key_changes_with_any_of_its_days_files() -> None:
    [before] = batch_runs(_days(3), parallel=1, longest=31)
    redelivered = [*_days(2), DayRun(START + timedelta(days=2), EVERY, "other")]
    [after] = batch_runs(redelivered, parallel=1, longest=31)
    assert before.run_key.startswith("landing:2026-01-01..2026-01-03:")
    assert before.run_key != after.run_key
