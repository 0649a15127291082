"""The landing sensor's decisions: once per file version, complete days, deadlines, late files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from lakehouse.landing.scan import DeliveredFile, Delivery
from lakehouse.operations.deliveries import LandingCursor, Plan, plan_runs

DECLARED = ["customers", "orders"]
D1, D2, D3 = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)
NOW = datetime(2026, 1, 4, 12, tzinfo=UTC)
DEADLINE = timedelta(hours=6)


def _delivery(source: str, day: date, *files: tuple[str, int]) -> Delivery:
    mtime = int((NOW - timedelta(hours=1)).timestamp() * 1e9)
    return Delivery(
        source,
        day,
        tuple(DeliveredFile(f"{source}/{day}/{name}", size, mtime) for name, size in files),
    )


def _day(day: date, *sources: str, size: int = 10) -> dict[str, Delivery]:
    return {s: _delivery(s, day, (f"{s}.part01", size)) for s in sources}


def _plan(inventory, cursor: LandingCursor | None = None, now: datetime = NOW, **kw) -> Plan:
    args = {"last_day": D3, "since": D1, "deadline": DEADLINE, **kw}
    return plan_runs(inventory, DECLARED, cursor or LandingCursor(), now, **args)


def test_a_complete_new_day_runs_every_source_once() -> None:
    first = _plan({D1: _day(D1, "customers", "orders")})
    assert [(r.day, r.sources, r.missing) for r in first.runs] == [
        (D1, ("customers", "orders"), ())
    ]
    again = _plan({D1: _day(D1, "customers", "orders")}, first.cursor)
    assert again.runs == [] and again.waiting == []


def test_the_cursor_survives_its_json_round_trip() -> None:
    first = _plan({D1: _day(D1, "customers", "orders")})
    restored = LandingCursor.from_json(first.cursor.to_json())
    assert restored == first.cursor
    assert _plan({D1: _day(D1, "customers", "orders")}, restored).runs == []


def test_a_redelivered_file_with_new_content_reruns_only_its_source() -> None:
    first = _plan({D1: _day(D1, "customers", "orders")})
    changed = {**_day(D1, "customers", "orders"), **_day(D1, "orders", size=11)}
    second = _plan({D1: changed}, first.cursor)
    assert [(r.day, r.sources) for r in second.runs] == [(D1, ("orders",))]
    assert second.runs[0].run_key != first.runs[0].run_key
    assert _plan({D1: changed}, second.cursor).runs == []


def test_an_additional_file_for_a_built_day_reruns_that_source() -> None:
    first = _plan({D1: _day(D1, "customers", "orders")})
    more = _day(D1, "customers")
    more["orders"] = _delivery("orders", D1, ("orders.part01", 10), ("orders.part02", 7))
    assert [r.sources for r in _plan({D1: more}, first.cursor).runs] == [("orders",)]


def test_days_arriving_out_of_order_each_run_once() -> None:
    late_first = _plan({D2: _day(D2, "customers", "orders")})
    both = _plan(
        {D1: _day(D1, "customers", "orders"), D2: _day(D2, "customers", "orders")},
        late_first.cursor,
    )
    assert [r.day for r in late_first.runs] == [D2]
    assert [r.day for r in both.runs] == [D1]


def test_an_incomplete_day_waits_with_the_missing_sources_named() -> None:
    plan = _plan({D1: _day(D1, "orders")})
    assert plan.runs == []
    assert "waiting for customers" in plan.waiting[0] and "2026-01-01" in plan.waiting[0]
    assert plan.cursor.waiting_since == {"2026-01-01": NOW.isoformat(timespec="seconds")}


def test_an_incomplete_day_runs_once_the_missing_source_lands() -> None:
    waiting = _plan({D1: _day(D1, "orders")})
    complete = _plan({D1: _day(D1, "customers", "orders")}, waiting.cursor)
    assert [(r.sources, r.missing) for r in complete.runs] == [(("customers", "orders"), ())]
    assert complete.cursor.waiting_since == {}


def test_after_the_deadline_an_incomplete_day_runs_what_is_there() -> None:
    waiting = _plan({D1: _day(D1, "orders")})
    later = NOW + DEADLINE
    partial = _plan({D1: _day(D1, "orders")}, waiting.cursor, now=later)
    assert [(r.sources, r.missing) for r in partial.runs] == [(("orders",), ("customers",))]
    late_source = _plan({D1: _day(D1, "customers", "orders")}, partial.cursor, now=later)
    assert [r.sources for r in late_source.runs] == [("customers",)]


def test_the_deadline_counts_from_the_first_sighting_not_from_each_tick() -> None:
    first = _plan({D1: _day(D1, "orders")})
    still = _plan({D1: _day(D1, "orders")}, first.cursor, now=NOW + DEADLINE / 2)
    assert still.runs == [] and still.cursor.waiting_since == first.cursor.waiting_since


def test_a_day_without_its_partition_yet_waits_for_it() -> None:
    plan = _plan({D3: _day(D3, "customers", "orders")}, last_day=D2)
    assert plan.runs == []
    assert (
        "2026-01-03: waits for its partition, which opens at 2026-01-04T00:00:00+00:00"
        in (plan.waiting[0])
    )
    assert [r.day for r in _plan({D3: _day(D3, "customers", "orders")}, plan.cursor).runs] == [D3]


def test_files_still_being_written_wait_for_the_next_tick() -> None:
    plan = _plan({D1: _day(D1, "customers", "orders")}, settle=timedelta(hours=2))
    assert plan.runs == [] and "still arriving" in plan.waiting[0]


def test_days_older_than_the_watched_window_leave_the_cursor() -> None:
    first = _plan({D1: _day(D1, "customers", "orders"), D2: _day(D2, "customers", "orders")})
    pruned = _plan({D2: _day(D2, "customers", "orders")}, first.cursor, since=D2)
    assert set(pruned.cursor.handled) == {"2026-01-02"}


def test_an_unknown_cursor_format_starts_over() -> None:
    assert LandingCursor.from_json('{"v": 0}') == LandingCursor()
    assert LandingCursor.from_json(None) == LandingCursor()
