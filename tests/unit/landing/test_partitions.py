"""In dev the partitions start at the first landed day unless LAKEHOUSE_START_DATE says else."""

from datetime import date
from pathlib import Path

from lakehouse.landing.partitions import partition_start
from lakehouse.settings import load_settings


def _land(landing: Path, day: str) -> None:
    folder = landing / "orders" / day
    folder.mkdir(parents=True)
    (folder / "part.jsonl").write_text("{}\n")


def test_dev_partitions_start_at_the_first_landed_day(tmp_path: Path) -> None:
    _land(tmp_path, "2026-03-04")
    _land(tmp_path, "2026-03-02")
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "LAKEHOUSE_LANDING": str(tmp_path)}
    )
    assert partition_start(settings) == date(2026, 3, 2)


def test_an_explicit_start_date_wins(tmp_path: Path) -> None:
    _land(tmp_path, "2026-03-02")
    settings = load_settings(
        {
            "LAKEHOUSE_ROOT": str(tmp_path / "lake"),
            "LAKEHOUSE_LANDING": str(tmp_path),
            "LAKEHOUSE_START_DATE": "2026-01-01",
        }
    )
    assert partition_start(settings) == date(2026, 1, 1)


def test_without_landed_days_the_default_applies(tmp_path: Path) -> None:
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "LAKEHOUSE_LANDING": str(tmp_path)}
    )
    assert partition_start(settings) == settings.start_date == date(2025, 1, 1)
