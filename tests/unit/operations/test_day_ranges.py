"""`lakehouse materialize --by-range` runs consecutive landed days together, at most 31 per run,
and runs a range again when its landing files change during the run."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from lakehouse.operations.backfill import day_ranges, range_tags
from lakehouse.operations.headless import _Headless
from lakehouse.settings import load_settings

START = date(2026, 1, 1)


def _span(first: int, count: int) -> list[date]:
    return [START + timedelta(days=first + n) for n in range(count)]


def test_gaps_cut_ranges_and_no_range_is_longer_than_31_days() -> None:
    days = [*_span(0, 40), *_span(45, 2), *_span(50, 1)]
    ranges = day_ranges(days)
    assert [len(r) for r in ranges] == [31, 9, 2, 1]
    assert [d for r in ranges for d in r] == days
    assert day_ranges(days, longest=1) == [[d] for d in days]


def test_range_tags_name_the_first_and_last_day() -> None:
    assert range_tags(START, START + timedelta(days=2)) == {
        "dagster/asset_partition_range_start": "2026-01-01",
        "dagster/asset_partition_range_end": "2026-01-03",
    }


def test_a_range_runs_once_and_again_when_a_file_lands_during_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    landing = tmp_path / "landing"
    for day in _span(0, 3):
        (landing / f"orders/{day}").mkdir(parents=True)
        (landing / f"orders/{day}/part01.jsonl").write_text("{}\n")
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "LAKEHOUSE_LANDING": str(landing)}
    )
    runs: list[tuple[str | None, object]] = []

    def fake_run(self: _Headless, job: object, partition: str | None, span: object = None) -> bool:
        runs.append((partition, span))
        if len(runs) == 1:
            (landing / "orders/2026-01-02/part02.jsonl").write_text("{}\n")
        return False

    monkeypatch.setattr(_Headless, "run", fake_run)
    headless = _Headless.__new__(_Headless)
    assert headless.run_range(object(), _span(0, 3), settings) is False  # type: ignore[arg-type]
    assert runs == [(None, (START, START + timedelta(days=2)))] * 2
    assert "landing files of orders changed: running again" in capsys.readouterr().out
