"""Rejection reasons give the parser's position and never a landed value (PII)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lakehouse.landing.files import LandingFileError, read_landing_file
from lakehouse.sources import LandingSpec

PII = "Zelda.Quist-4711@secret.example"
JSONL = LandingSpec(path="t/{date}/*.jsonl", format="jsonl")
CSV = LandingSpec(path="t/{date}/*.csv", format="csv")
PARQUET = LandingSpec(path="t/{date}/*.parquet", format="parquet")
_MANY = "".join(f"C{i:07d},Name {i},n{i}@example.com\n" for i in range(5000))


def _error(tmp_path: Path, spec: LandingSpec, content: bytes) -> str:
    path = tmp_path / f"bad.{spec.format}"
    path.write_bytes(content)
    with pytest.raises(LandingFileError) as error:
        read_landing_file(str(path), spec, ["id"])
    message = str(error.value)
    assert PII not in message
    assert PII.split("@")[0] not in message
    assert "bad." in message
    return message


@pytest.mark.parametrize("rows_before", ["", _MANY], ids=["small", "multi-block"])
def test_csv_row_with_extra_fields_gives_row_and_counts_only(
    tmp_path: Path, rows_before: str
) -> None:
    content = f"id,name,email\n{rows_before}C1,Zelda Quist,{PII},+49170\n".encode()
    message = _error(tmp_path, CSV, content)
    row = rows_before.count("\n") + 2
    assert f"row {row} (the header is row 1): expected 3 fields, found 4" in message


def test_csv_row_with_missing_fields_gives_row_and_counts_only(tmp_path: Path) -> None:
    message = _error(tmp_path, CSV, f"id,name,email\nC1,{PII}\n".encode())
    assert "row 2 (the header is row 1): expected 3 fields, found 2" in message


def test_csv_invalid_utf8_gives_column_and_line_only(tmp_path: Path) -> None:
    message = _error(tmp_path, CSV, f"id,email\nC1,{PII}\xff\n".encode("latin-1"))
    assert "column 'email', line 2" in message
    assert "not valid UTF-8" in message


def test_csv_invalid_utf8_header_gives_line_only(tmp_path: Path) -> None:
    message = _error(tmp_path, CSV, f"id,{PII}\xff\nC1,x\n".encode("latin-1"))
    assert "line 1, byte" in message


@pytest.mark.parametrize(
    ("content", "position"),
    [
        (f'{{"id":"A"}}\n{{"id":"B","email":"{PII}" oops}}\n', "line 2, column 53"),
        (f'{{"id":"A"}}\n\n{{"id":"B","email":"{PII}\n', "line 3, column 19"),
        (f'{{"id":"A","email":"{PII}"}}\n{{"id":"B", "email":{PII}}}\n', "line 2, column 20"),
        (f'{{"id":"A","email":"{PII}","email":"{PII}"}}\n', "line 1: an object names"),
        (f'["{PII}"]\n', "line 1: expected a JSON object, found an array"),
    ],
)
def test_malformed_json_line_gives_line_and_column_only(
    tmp_path: Path, content: str, position: str
) -> None:
    assert position in _error(tmp_path, JSONL, content.encode())


def test_json_invalid_utf8_gives_line_only(tmp_path: Path) -> None:
    content = f'{{"id":"A"}}\n{{"id":"B","email":"{PII}\xff"}}\n'.encode("latin-1")
    assert "line 2, byte 51: not valid UTF-8" in _error(tmp_path, JSONL, content)


def test_unreadable_parquet_names_no_value(tmp_path: Path) -> None:
    path = tmp_path / "good.parquet"
    pq.write_table(pa.table({"id": [PII] * 100}), path)
    data = path.read_bytes()
    _error(tmp_path, PARQUET, data[: len(data) // 2])
