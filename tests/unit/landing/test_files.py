"""Reading landing files: every format as text, with clear errors naming the file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lakehouse.landing.files import LandingFileError, list_landing_files, read_landing_file
from lakehouse.sources import LandingSpec

JSONL = LandingSpec(path="things/{date}/*.jsonl", format="jsonl")
CSV = LandingSpec(path="things/{date}/*.csv", format="csv", options={"delimiter": ";"})
PARQUET = LandingSpec(path="things/{date}/*.parquet", format="parquet")


def test_lists_only_the_days_matching_files_sorted(tmp_path: Path) -> None:
    day = tmp_path / "things" / "2026-01-02"
    day.mkdir(parents=True)
    for name in ("b.jsonl", "a.jsonl", "notes.txt"):
        (day / name).write_text("")
    (tmp_path / "things" / "2026-01-03").mkdir()
    files = list_landing_files(str(tmp_path), JSONL, date(2026, 1, 2))
    assert [Path(f).name for f in files] == ["a.jsonl", "b.jsonl"]
    assert list_landing_files(str(tmp_path), JSONL, date(2026, 1, 9)) == []


def test_jsonl_values_are_kept_as_text(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "A", "n": 12.5, "ok": true}\n{"id": "B", "n": null, "ok": false}\n')
    landed = read_landing_file(str(path), JSONL, ["id", "n"])
    assert landed.table.schema == pa.schema(
        [("id", pa.string()), ("n", pa.string()), ("ok", pa.string())]
    )
    assert landed.table.column("n").to_pylist() == ["12.5", None]
    assert landed.size_bytes == path.stat().st_size


def test_csv_keeps_leading_zeros_and_reads_empty_as_null(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id;zip\nA;01234\nB;\n")
    table = read_landing_file(str(path), CSV, ["id", "zip"]).table
    assert table.column("zip").to_pylist() == ["01234", None]


def test_parquet_types_become_text(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    pq.write_table(pa.table({"id": ["A"], "amount": [1.5], "n": pa.array([None], pa.null())}), path)
    table = read_landing_file(str(path), PARQUET, ["id", "amount"]).table
    assert table.to_pylist() == [{"id": "A", "amount": "1.5", "n": None}]


def test_empty_file_is_zero_rows_with_declared_columns(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    table = read_landing_file(str(path), JSONL, ["id", "n"]).table
    assert table.num_rows == 0
    assert table.column_names == ["id", "n"]


@pytest.mark.parametrize("spec", [JSONL, CSV])
def test_whitespace_only_file_larger_than_a_read_chunk_is_empty(
    tmp_path: Path, spec: LandingSpec
) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(b" \n\t\r\n" * 50_000)
    table = read_landing_file(str(path), spec, ["id", "n"]).table
    assert table.num_rows == 0
    assert table.column_names == ["id", "n"]


def test_csv_header_longer_than_a_read_chunk_types_every_column_as_text(tmp_path: Path) -> None:
    names = [f"column_{i:05d}" for i in range(10_000)]
    path = tmp_path / "wide.csv"
    path.write_text(";".join(names) + "\n" + ";".join(["007"] * len(names)) + "\n")
    table = read_landing_file(str(path), CSV, names[:1]).table
    assert table.column_names == names
    assert set(table.schema.types) == {pa.string()}
    assert table.column(names[-1]).to_pylist() == ["007"]


@pytest.mark.parametrize(
    ("spec", "content"),
    [
        (JSONL, b'{"id": "A"}\n{"id": "B", "n'),
        (PARQUET, b"PAR1 this is not parquet"),
    ],
)
def test_corrupt_or_truncated_file_names_the_file(
    tmp_path: Path, spec: LandingSpec, content: bytes
) -> None:
    path = tmp_path / "broken.bin"
    path.write_bytes(content)
    with pytest.raises(LandingFileError, match=r"broken\.bin") as error:
        read_landing_file(str(path), spec, ["id"])
    assert "re-run" in str(error.value)


def test_missing_declared_column_names_file_and_column(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"id": "A", "total_amount": 3}\n')
    with pytest.raises(
        LandingFileError, match=r"column 'order_total': expected string, found no such column"
    ):
        read_landing_file(str(path), JSONL, ["id", "order_total"])
