"""Headless materialisation takes landed days only: stray and future folders are reported and
get no run, gaps in a --start/--end range are skipped with a line, and a day whose landing files
change during its run runs once more."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lakehouse.landing.days import find_landed_days
from lakehouse.operations.headless import _days, _Headless
from lakehouse.settings import load_settings

TODAY = date(2026, 1, 10)


def _landing(tmp_path: Path, *folders: str) -> Path:
    landing = tmp_path / "landing"
    for folder in folders:
        (landing / folder).mkdir(parents=True)
        (landing / folder / "part01.jsonl").write_text("{}\n")
    return landing


def test_stray_and_future_folders_are_reported_and_get_no_run(tmp_path: Path) -> None:
    landing = _landing(
        tmp_path,
        "orders/2026-01-02",
        "orders/2026-01-05",
        "orders/latest",
        "orders/2099-01-01",
        "orders/2026-13-45",
        "customers/2026-01-03",
    )
    found = find_landed_days(str(landing), TODAY)
    assert found.days == [date(2026, 1, 2), date(2026, 1, 3), date(2026, 1, 5)]
    assert found.ignored == [
        "orders/2026-13-45/: not a landing day (YYYY-MM-DD): no run",
        "orders/2099-01-01/: in the future (today is 2026-01-10): no run",
        "orders/latest/: not a landing day (YYYY-MM-DD): no run",
    ]


def test_a_range_runs_landed_days_only_and_names_each_gap(tmp_path: Path) -> None:
    landing = _landing(tmp_path, "orders/2026-01-02", "orders/2026-01-04")
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "LAKEHOUSE_LANDING": str(landing)}
    )
    days, notes = _days(settings, date(2026, 1, 1), date(2026, 1, 4), TODAY)
    assert days == [date(2026, 1, 2), date(2026, 1, 4)]
    assert notes == ["2 day(s) in 2026-01-01..2026-01-04 have no landing folder: skipped"]
    assert _days(settings, None, None, TODAY)[0] == days


def test_a_file_landing_during_the_run_runs_the_day_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    landing = _landing(tmp_path, "orders/2026-01-02")
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "LAKEHOUSE_LANDING": str(landing)}
    )
    runs: list[str | None] = []

    def fake_run(self: _Headless, job: object, partition: str | None) -> bool:
        runs.append(partition)
        if len(runs) == 1:
            (landing / "orders/2026-01-02/part02.jsonl").write_text("{}\n")
        return False

    monkeypatch.setattr(_Headless, "run", fake_run)
    headless = _Headless.__new__(_Headless)
    assert headless.run_day(object(), date(2026, 1, 2), settings) is False  # type: ignore[arg-type]
    assert runs == ["2026-01-02", "2026-01-02"]
    assert (
        "landing files of orders changed during the run: running again" in capsys.readouterr().out
    )
