"""Landing inventory: files per day and source, fingerprinted by size and modification time."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from lakehouse.landing.scan import pattern_regex, scan_landing, static_folder
from lakehouse.sources import load_sources

SPECS = {s.name: s for s in load_sources()}


def _write(root: Path, relative: str, text: str = "x\n") -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_declared_path_becomes_a_regex_capturing_the_day() -> None:
    regex = pattern_regex("orders/{date}/*.jsonl")
    assert regex.fullmatch("orders/2026-01-02/part01.jsonl")["date"] == "2026-01-02"
    assert regex.fullmatch("orders/2026-01-02/part01.csv") is None
    assert regex.fullmatch("orders/2026-01-02/nested/part01.jsonl") is None
    assert pattern_regex("exports/orders_{date}.csv").fullmatch("exports/orders_2026-01-02.csv")


def test_listing_starts_at_the_folder_before_the_date() -> None:
    assert static_folder("orders/{date}/*.jsonl") == "orders"
    assert static_folder("exports/v1/orders_{date}.csv") == "exports/v1"
    assert static_folder("{date}/orders.jsonl") == ""


def test_scan_groups_files_by_day_and_source(tmp_path: Path) -> None:
    _write(tmp_path, "orders/2026-01-01/a.jsonl")
    _write(tmp_path, "orders/2026-01-01/b.jsonl")
    _write(tmp_path, "orders/2026-01-02/a.jsonl")
    _write(tmp_path, "orders/2026-01-02/notes.txt")
    _write(tmp_path, "customers/2026-01-02/a.csv")
    _write(tmp_path, "orders/not-a-day/a.jsonl")
    inventory = scan_landing(str(tmp_path), [SPECS["orders"], SPECS["customers"]], date(2026, 1, 1))
    assert sorted(inventory) == [date(2026, 1, 1), date(2026, 1, 2)]
    assert sorted(inventory[date(2026, 1, 2)]) == ["customers", "orders"]
    assert [f.path for f in inventory[date(2026, 1, 1)]["orders"].files] == [
        "orders/2026-01-01/a.jsonl",
        "orders/2026-01-01/b.jsonl",
    ]


def test_days_before_the_window_are_not_reported(tmp_path: Path) -> None:
    _write(tmp_path, "orders/2025-12-31/a.jsonl")
    _write(tmp_path, "orders/2026-01-01/a.jsonl")
    inventory = scan_landing(str(tmp_path), [SPECS["orders"]], date(2026, 1, 1))
    assert list(inventory) == [date(2026, 1, 1)]


def test_a_missing_landing_root_is_an_empty_inventory(tmp_path: Path) -> None:
    assert scan_landing(str(tmp_path / "nothing"), list(SPECS.values()), date(2026, 1, 1)) == {}


def test_rewriting_a_file_changes_the_fingerprint_and_rereading_does_not(tmp_path: Path) -> None:
    path = _write(tmp_path, "orders/2026-01-01/a.jsonl", '{"a": 1}\n')
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))

    def fingerprint() -> str:
        inventory = scan_landing(str(tmp_path), [SPECS["orders"]], date(2026, 1, 1))
        return inventory[date(2026, 1, 1)]["orders"].fingerprint

    before = fingerprint()
    assert fingerprint() == before
    path.write_text('{"a": 2}\n')
    os.utime(path, ns=(2_000_000_000, 2_000_000_000))
    assert fingerprint() != before
