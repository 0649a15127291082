"""`lakehouse history` and `lakehouse rollback` against a real lakehouse root."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.cli import main
from lakehouse.lake import DeltaStore

KEY = "bronze/payments"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DeltaStore:
    monkeypatch.setenv("LAKEHOUSE_ENV", "dev")
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(tmp_path / "lake"))
    monkeypatch.setenv("LAKEHOUSE_USER", "carol")
    store = DeltaStore(str(tmp_path / "lake"))
    landed = date(2026, 1, 1)
    for ids in (["p1"], ["p1", "p2"]):
        rows = pa.table({"payment_id": ids, "_landing_date": [landed] * len(ids)})
        store.replace_partition(KEY, rows, "_landing_date", landed)
    return store


def test_rollback_then_history_shows_the_restore(
    store: DeltaStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rollback", KEY, "--to-version", "0", "--reason", "duplicate delivery"]) == 0
    assert "restored bronze/payments to version 0 (was 1)" in capsys.readouterr().out
    assert store.read(KEY).column("payment_id").to_pylist() == ["p1"]
    assert main(["history", KEY, "--limit", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert "RESTORE to v0" in lines[1] and "carol" in lines[1]
    assert lines[1].endswith("duplicate delivery")


def test_rollback_errors_exit_2_with_the_reason(
    store: DeltaStore, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rollback", KEY, "--to-version", "5", "--reason", "r"]) == 2
    assert "has no version 5" in capsys.readouterr().err
    assert main(["rollback", KEY, "--to-version", "0", "--reason", " "]) == 2
    assert "a reason is required" in capsys.readouterr().err
    assert main(["history", "silver/nothing"]) == 2
    assert "no Delta table" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(
            ["rollback", KEY, "--to-version", "0", "--to-timestamp", "2026-01-01", "--reason", "r"]
        )
    assert store.table(KEY).version() == 1
