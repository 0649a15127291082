"""Landing files read a block at a time: the same texts as a whole read, positions counted from
the file's start, drift decided over every block."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lakehouse.landing.files import (
    LandingFileError,
    LandingFileReader,
    SchemaDriftError,
    read_landing_file,
)
from lakehouse.landing.parsing import CHUNK, first_utf8_error
from lakehouse.sources import LandingSpec

JSONL = LandingSpec(path="t/{date}/*.jsonl", format="jsonl")
CSV = LandingSpec(path="t/{date}/*.csv", format="csv")
PARQUET = LandingSpec(path="t/{date}/*.parquet", format="parquet")
SMALL = 64
"""Bytes per block: a few lines each."""


def _file(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def _both(uri: str, spec: LandingSpec, columns: list[str]) -> tuple[pa.Table, pa.Table]:
    whole = read_landing_file(uri, spec, columns).table
    return whole, read_landing_file(uri, spec, columns, block_bytes=SMALL).table


def test_jsonl_blocks_give_the_texts_of_a_whole_read(tmp_path: Path) -> None:
    lines = [
        '{"id":"A1","amount":1.50,"tags":[1,2.0],"note":"ü ✓"}',
        "",
        '{"id":"A2","amount":2,"tags":null,"note":"line\\nbreak"}',
        *(f'{{"id":"A{i}","amount":{i}.10,"note":"n{i}"}}' for i in range(3, 40)),
        '{"id":"A40","amount":-0,"note":"' + "x" * 300 + '"}',  # longer than a block
        '{"id":"A41","amount":1e3,"extra":true}',
    ]
    uri = _file(tmp_path, "a.jsonl", "\ufeff" + "\r\n".join(lines) + "\n")
    whole, blocks = _both(uri, JSONL, ["id", "amount"])
    assert blocks.column_names == whole.column_names
    assert blocks.equals(whole)
    assert blocks.column("amount").to_pylist()[:2] == ["1.50", "2"]
    assert blocks.num_rows == 41


def test_csv_blocks_give_the_texts_of_a_whole_read(tmp_path: Path) -> None:
    rows = [f'C{i},"name, {i}","multi\nline {i}",{i}.00' for i in range(60)]
    uri = _file(tmp_path, "a.csv", "id,name,note,amount\n" + "\n".join(rows) + "\n,,,\n")
    whole, blocks = _both(uri, CSV, ["id", "amount"])
    assert blocks.equals(whole)
    assert blocks.num_rows == 61
    assert blocks.column("note")[59].as_py() == "multi\nline 59"


def test_parquet_batches_give_the_texts_of_a_whole_read(tmp_path: Path) -> None:
    path = tmp_path / "a.parquet"
    table = pa.table({"id": [f"P{i}" for i in range(100_000)], "amount": range(100_000)})
    pq.write_table(table, path)
    reader = LandingFileReader(str(path), PARQUET, ["id", "amount"])
    blocks = list(reader.blocks())
    assert len(blocks) > 1 and reader.rows == 100_000
    assert pa.concat_tables(blocks).column("amount")[99_999].as_py() == "99999"


def _error(uri: str, spec: LandingSpec) -> LandingFileError:
    with pytest.raises(LandingFileError) as error:
        read_landing_file(uri, spec, ["id"], block_bytes=SMALL)
    return error.value


def test_a_jsonl_error_in_a_later_block_names_the_line_in_the_file(tmp_path: Path) -> None:
    lines = [f'{{"id":"A{i}"}}' for i in range(1, 40)] + ['{"id": oops}']
    error = _error(_file(tmp_path, "bad.jsonl", "\n".join(lines) + "\n"), JSONL)
    assert "line 40, column 8: not valid JSON" in str(error)
    assert error.rows == 40


def test_invalid_utf8_in_a_later_block_names_the_line_in_the_file(tmp_path: Path) -> None:
    jsonl = "".join(f'{{"id":"A{i}"}}\n' for i in range(1, 40)).encode() + b'{"id":"\xff"}\n'
    assert "line 40, byte 8: not valid UTF-8" in str(
        _error(_file(tmp_path, "u.jsonl", jsonl), JSONL)
    )
    csv = b"id,name\n" + b"".join(b"C%d,n\n" % i for i in range(40)) + b"C40,\xffx\n"
    message = str(_error(_file(tmp_path, "u.csv", csv), CSV))
    assert "column 'name', line 42, byte 5: not valid UTF-8" in message


def test_a_ragged_csv_row_in_a_later_block_names_the_row_in_the_file(tmp_path: Path) -> None:
    rows = "".join(f"C{i},n{i}\n" for i in range(200))
    error = _error(_file(tmp_path, "r.csv", f"id,name\n{rows}C9,x,y\n"), CSV)
    assert "row 202 (the header is row 1): expected 2 fields, found 3" in str(error)


def test_a_column_retyped_in_a_later_block_is_drift(tmp_path: Path) -> None:
    lines = [f'{{"id":"A{i}","amount":{i}}}' for i in range(40)] + ['{"id":"B","amount":1.5}']
    uri = _file(tmp_path, "d.jsonl", "\n".join(lines) + "\n")
    with pytest.raises(SchemaDriftError) as error:
        read_landing_file(
            uri, JSONL, ["id", "amount"], expected_types={"amount": "int"}, block_bytes=SMALL
        )
    assert "column 'amount': expected int, found int64 and double" in str(error.value)
    assert error.value.rows == 41


def test_a_file_ending_inside_a_character_names_its_position() -> None:
    """Invalid UTF-8 in the last bytes of a file whose size is a multiple of the chunk read."""
    body = b"id,name\n" + b"x" * (CHUNK - 8 - 1) + b"\xc3"  # ends mid-character
    assert len(body) == CHUNK
    error = first_utf8_error(pa.BufferReader(body))
    assert str(error) == f"line 2, byte {CHUNK - 8}: not valid UTF-8"
