"""Writers and byte-level faults on hand-made tables: escaping, quoting, timestamps, cuts."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from lakehouse.datagen.columns import make_table, timestamps
from lakehouse.datagen.domain import SOURCES, SourceSpec
from lakehouse.datagen.facts import OFFSET_COLUMN
from lakehouse.datagen.faults import truncate
from lakehouse.datagen.writers import payload_bytes, serialise

AWKWARD = ["plain", 'quote " inside', "comma, inside", "line\nbreak", "back\\slash", "", None]
EPOCH = int(datetime(2026, 11, 20, 23, 30, tzinfo=UTC).timestamp())


def _table() -> pa.Table:
    n = len(AWKWARD)
    return make_table(
        {
            "text": pa.array(AWKWARD, pa.string()),
            "amount": pa.array([1, -5, 100, 123456, 0, 7, 99], pa.int64()),
            "count": pa.array([1, 2, None, 4, 5, 6, 7], pa.int64()),
            "at": timestamps(np.full(n, EPOCH)),
            OFFSET_COLUMN: pa.array([0, 60, -300, 540, 0, 0, 0], pa.int16()),
        },
        money=("amount",),
    )


def _spec(fmt: str, style: str = "offset") -> SourceSpec:
    return SourceSpec("t", fmt, ("text", "amount", "count", "at"), style)  # type: ignore[arg-type]


def test_jsonl_escapes_strings_and_writes_amounts_with_two_decimals() -> None:
    raw = payload_bytes(serialise(_table(), _spec("jsonl")))
    lines = raw.decode().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["text"] for r in rows] == AWKWARD
    assert '"amount":-0.05,' in lines[1] and '"amount":1234.56,' in lines[3]
    assert rows[2]["count"] is None
    assert list(rows[0]) == ["text", "amount", "count", "at"]
    assert [r["at"] for r in rows[:4]] == [
        "2026-11-20T23:30:00+00:00",
        "2026-11-21T00:30:00+01:00",
        "2026-11-20T18:30:00-05:00",
        "2026-11-21T08:30:00+09:00",
    ]
    assert {datetime.fromisoformat(r["at"]) for r in rows} == {datetime.fromtimestamp(EPOCH, UTC)}


def test_jsonl_zulu_timestamps() -> None:
    raw = payload_bytes(serialise(_table(), _spec("jsonl", "zulu")))
    assert json.loads(raw.splitlines()[1])["at"] == "2026-11-20T23:30:00Z"


def test_csv_quotes_only_when_needed_and_round_trips() -> None:
    raw = payload_bytes(serialise(_table(), _spec("csv")))
    lines = raw.decode().split("\n")
    assert lines[0] == "text,amount,count,at"
    assert lines[1] == "plain,0.01,1,2026-11-20T23:30:00+00:00"
    rows = list(csv.reader(io.StringIO(raw.decode(), newline="")))[1:]
    assert [r[0] for r in rows] == [*AWKWARD[:-1], ""]
    assert rows[2][2] == ""  # null count
    table = pacsv.read_csv(
        pa.BufferReader(raw), convert_options=pacsv.ConvertOptions(strings_can_be_null=True)
    )
    assert table["text"].to_pylist()[:3] == AWKWARD[:3]


def test_parquet_is_byte_stable_and_typed() -> None:
    first = payload_bytes(serialise(_table(), _spec("parquet")))
    assert first == payload_bytes(serialise(_table(), _spec("parquet")))
    table = pq.read_table(pa.BufferReader(first))
    assert table.column_names == ["text", "amount", "count", "at"]
    assert table["amount"].to_pylist()[:2] == [0.01, -0.05]
    assert table.schema.field("at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.metadata is None or b"lakehouse" not in b"".join(table.schema.metadata)


@pytest.mark.parametrize("source", ["orders", "customers"])
def test_truncate_cuts_inside_a_record_even_for_tiny_files(source: str) -> None:
    spec = SOURCES[source]
    table = _table().slice(0, 1).rename_columns(["text", "amount", "count", "at", OFFSET_COLUMN])
    payload = serialise(table, SourceSpec(source, spec.format, (), "offset"))
    whole = payload_bytes(payload)
    cut = payload_bytes(truncate(payload, spec.format))
    assert 0 < len(cut) < len(whole)
    assert not cut.endswith(b"\n")
    if spec.format == "csv":
        assert cut.startswith(b"text,amount,count,at\n")


def test_generating_a_day_again_leaves_identical_files_untouched(tmp_path: Path) -> None:
    from datetime import date

    from lakehouse.datagen import generate

    first = generate(str(tmp_path), date(2026, 1, 5), 1, 20, seed=7)
    stamps = {f.path: Path(f.path).stat().st_mtime_ns for f in first.files}
    again = generate(str(tmp_path), date(2026, 1, 5), 1, 20, seed=7)
    assert {f.path: Path(f.path).stat().st_mtime_ns for f in again.files} == stamps
    other = generate(str(tmp_path), date(2026, 1, 5), 1, 20, seed=8)
    changed = [f.path for f in other.files if Path(f.path).stat().st_mtime_ns != stamps[f.path]]
    assert changed, "a different seed must rewrite the files"
