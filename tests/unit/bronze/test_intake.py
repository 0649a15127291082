"""Intake: files streamed into bronze block by block, each decided whole; rejected files carry
positional reasons without landed values; texts type in silver."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from lakehouse.bronze.ingest import ingest_days, landing_checks
from lakehouse.bronze.intake import IntakeStream, rejected_files_table, write_intake
from lakehouse.lake import DeltaStore
from lakehouse.landing.files import read_landing_file
from lakehouse.silver.rules import typed_value
from lakehouse.sources import LANDING_DATE, parse_source

PII = "Zelda.Quist-4711@secret.example"
DAY = date(2026, 1, 2)
NOW = datetime(2026, 1, 3, tzinfo=UTC)
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
quality:
  error_budget: 0.9
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
BRONZE = ["bronze", "things"]


def _line(i: int, extra: str = "") -> str:
    return f'{{"thing_id":"T{i}","email":"e{i}@x.example","amount":{i}.50,"made_at":null{extra}}}\n'


def _write(path: Path, lines: list[str]) -> str:
    path.write_text("".join(lines))
    return str(path)


def _stream(store: DeltaStore, uris: list[str], block_bytes: int = 200) -> IntakeStream:
    """Land ``uris`` as one day through a stream of ~200-byte blocks (a few lines each)."""
    intake = IntakeStream(
        {DAY: uris}, SPEC, NOW, checks=lambda i: landing_checks(i, SPEC), block_bytes=block_bytes
    )
    write_intake(intake, lambda rows: store.replace_partition(BRONZE, rows, LANDING_DATE, DAY))
    return intake


def test_rejected_file_reason_keeps_the_position_and_drops_the_value(tmp_path: Path) -> None:
    good = _write(tmp_path / "a.jsonl", [_line(1)])
    bad = _write(tmp_path / "b.jsonl", [f'{{"thing_id":"T2","email":"{PII}" "amount":2}}\n'])
    store = DeltaStore(str(tmp_path / "lake"))
    outcome, _ = ingest_days(store, SPEC, {DAY: [good, bad]}, NOW)
    assert outcome.intake.accepted_rows == 1
    [rejected] = outcome.intake.rejected
    assert "line 1, column 60: not valid JSON" in rejected.reason
    quarantine = rejected_files_table(outcome.intake.rejected, DAY, NOW)
    assert PII not in str(quarantine.to_pylist())
    assert "Quist" not in rejected.reason
    assert store.read(BRONZE).column("thing_id").to_pylist() == ["T1"]


def test_a_file_found_unreadable_after_its_first_blocks_leaves_none_of_its_rows(
    tmp_path: Path,
) -> None:
    good = _write(tmp_path / "a.jsonl", [_line(i) for i in range(1, 30)])
    late = _write(tmp_path / "b.jsonl", [_line(i) for i in range(100, 130)] + ["{broken\n"])
    store = DeltaStore(str(tmp_path / "lake"))
    intake = _stream(store, [good, late])
    bronze = store.read(BRONZE)
    assert sorted(bronze.column("_source_file").unique().to_pylist()) == [good]
    assert bronze.num_rows == 29
    [rejected] = intake.intakes[DAY].rejected
    assert rejected.uri == late
    assert "line 31" in rejected.reason  # counted from the file's start, not the block's
    assert rejected.rows == 31


def test_a_column_first_seen_in_a_later_block_is_kept_in_file_order(tmp_path: Path) -> None:
    lines = [_line(i) for i in range(1, 20)] + [_line(20, ',"coupon":"C20"')]
    first = _write(tmp_path / "a.jsonl", lines)
    second = _write(tmp_path / "b.jsonl", [_line(30, ',"channel":"web"')])
    store = DeltaStore(str(tmp_path / "lake"))
    _stream(store, [first, second])
    bronze = store.read(BRONZE).sort_by("thing_id")
    assert bronze.column_names[:6] == [
        "thing_id",
        "email",
        "amount",
        "made_at",
        "coupon",
        "channel",
    ]
    assert bronze.num_rows == 21
    rows = {r["thing_id"]: r for r in bronze.to_pylist()}
    assert rows["T20"]["coupon"] == "C20" and rows["T1"]["coupon"] is None
    assert rows["T30"]["channel"] == "web" and rows["T30"]["coupon"] is None


def test_a_blocking_landing_check_aborts_the_streamed_write(tmp_path: Path) -> None:
    store = DeltaStore(str(tmp_path / "lake"))
    before = _write(tmp_path / "old.jsonl", [_line(1)])
    _stream(store, [before])
    good = _write(tmp_path / "a.jsonl", [_line(i) for i in range(2, 40)])
    drifted = _write(tmp_path / "b.jsonl", ['{"thing_id":"T9","email":null,"amount":"x"}\n'])
    outcome, _ = ingest_days(store, SPEC, {DAY: [good, drifted]}, NOW)
    assert outcome.blocked
    assert [o.name for o in outcome.outcomes if not o.passed] == ["landing_schema"]
    assert store.read(BRONZE).column("thing_id").to_pylist() == ["T1"]  # as it was
    files = store.read(["quarantine", "things_files"]).column("_source_file").to_pylist()
    assert files == [drifted]


def test_streamed_days_equal_whole_files_read_at_once(tmp_path: Path) -> None:
    uris = [
        _write(tmp_path / "a.jsonl", [_line(i) for i in range(1, 50)]),
        _write(tmp_path / "b.jsonl", [_line(i) for i in range(50, 90)]),
    ]
    store = DeltaStore(str(tmp_path / "lake"))
    _stream(store, uris, block_bytes=128)
    whole = [read_landing_file(u, SPEC.landing, SPEC.landed_columns).table for u in uris]
    expected = pa.concat_tables(whole).sort_by("thing_id")
    streamed = store.read(BRONZE).sort_by("thing_id").select(expected.column_names)
    assert streamed.equals(expected)
    assert store.table(BRONZE).version() == 0  # one commit, however many blocks


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
    store = DeltaStore(str(tmp_path / "lake"))
    ingest_days(store, SPEC, {DAY: [str(path)]}, NOW)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("bronze", store.read(BRONZE))
    values = ", ".join(typed_value(SPEC.column(c)) for c in ("amount", "made_at"))
    [typed] = con.execute(f"select {values} from bronze").fetchall()
    assert typed[0] == Decimal(amount)
    assert typed[1] == datetime(*made_at, tzinfo=UTC)


def test_a_first_file_rejected_for_its_columns_does_not_decide_the_written_schema(
    tmp_path: Path,
) -> None:
    store = DeltaStore(str(tmp_path / "lake"))
    ingest_days(store, SPEC, {date(2026, 1, 1): [_write(tmp_path / "old.jsonl", [_line(1)])]}, NOW)
    # Sorted first, its first block (a line over a megabyte) holds two columns, then it breaks:
    # its columns are the first guess, then it is rejected.
    long = '{"thing_id":"X1","note":"' + "x" * (1 << 20) + '"}\n'
    odd = _write(tmp_path / "a.jsonl", [long, "{broken\n"])
    good = _write(tmp_path / "b.jsonl", [_line(i) for i in range(2, 6)])
    intake = _stream(store, [odd, good], block_bytes=1 << 20)
    assert [f.uri for f in intake.intakes[DAY].rejected] == [odd]
    day = store.read(BRONZE, filter_column=LANDING_DATE, filter_value=DAY)
    assert sorted(day.column("thing_id").to_pylist()) == ["T2", "T3", "T4", "T5"]
    assert store.read(BRONZE).column_names == day.column_names  # no column of the odd file


def test_a_column_the_table_has_comes_back_from_a_later_file(tmp_path: Path) -> None:
    store = DeltaStore(str(tmp_path / "lake"))
    earlier = _write(tmp_path / "old.jsonl", [_line(1, ',"coupon":"C1"')])
    ingest_days(store, SPEC, {date(2026, 1, 1): [earlier]}, NOW)
    first = _write(tmp_path / "a.jsonl", [_line(2)])
    second = _write(tmp_path / "b.jsonl", [_line(3, ',"coupon":"C3"')])
    outcome, _ = ingest_days(store, SPEC, {DAY: [first, second]}, NOW)
    assert not outcome.blocked
    day = store.read(BRONZE, filter_column=LANDING_DATE, filter_value=DAY).sort_by("thing_id")
    assert day.column("coupon").to_pylist() == [None, "C3"]
