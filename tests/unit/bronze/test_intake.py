"""Intake: rejected files carry positional reasons without landed values; texts type in silver."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from lakehouse.bronze.intake import rejected_files_table, take_in
from lakehouse.silver.rules import typed_value
from lakehouse.sources import parse_source

PII = "Zelda.Quist-4711@secret.example"
SPEC = parse_source(
    """\
name: things
description: Things.
owner: team:things
kind: fact
landing:
  path: "things/{date}/*.jsonl"
  format: jsonl
keys: [thing_id]
columns:
  - name: thing_id
    type: string
  - name: email
    type: string
  - name: amount
    type: decimal(12,2)
  - name: made_at
    type: timestamp
""",
    "things.yaml",
)


def test_rejected_file_reason_keeps_the_position_and_drops_the_value(tmp_path: Path) -> None:
    good, bad = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    good.write_text('{"thing_id":"T1","email":"a@b.c","amount":1.50,"made_at":null}\n')
    bad.write_text(f'{{"thing_id":"T2","email":"{PII}" "amount":2}}\n')
    intake = take_in([str(good), str(bad)], SPEC)
    assert intake.accepted_rows == 1
    [rejected] = intake.rejected
    assert "line 1, column 60: not valid JSON" in rejected.reason
    quarantine = rejected_files_table(intake.rejected, date(2026, 1, 2), datetime.now(UTC))
    assert PII not in str(quarantine.to_pylist())
    assert "Quist" not in rejected.reason


@pytest.mark.parametrize(
    ("line", "amount", "made_at"),
    [
        ('"amount":129.90,"made_at":"2025-06-03T05:31:30+05:30"', "129.90", (2025, 6, 3, 0, 1, 30)),
        ('"amount":1e3,"made_at":"2025-06-03T05:31:30Z"', "1000.00", (2025, 6, 3, 5, 31, 30)),
        ('"amount":-0.5,"made_at":"2025-06-02T23:00:00-05:00"', "-0.50", (2025, 6, 3, 4, 0)),
    ],
)
def test_landed_texts_cast_to_the_declared_types_in_utc(
    tmp_path: Path, line: str, amount: str, made_at: tuple[int, ...]
) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(f'{{"thing_id":"T1","email":null,{line}}}\n')
    [landed] = take_in([str(path)], SPEC).landed
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("bronze", landed.table)
    values = ", ".join(typed_value(SPEC.column(c)) for c in ("amount", "made_at"))
    [typed] = con.execute(f"select {values} from bronze").fetchall()
    assert typed[0] == Decimal(amount)
    assert typed[1] == datetime(*made_at, tzinfo=UTC)
