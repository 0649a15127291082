"""Lossless landing: every value is its landed text; nulls, BOMs and line endings by rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakehouse.landing.files import SchemaDriftError, read_landing_file
from lakehouse.sources import LandingSpec

JSONL = LandingSpec(path="things/{date}/*.jsonl", format="jsonl")
CSV = LandingSpec(path="things/{date}/*.csv", format="csv")
TYPES = {"id": "string", "n": "decimal(12,2)", "i": "int", "ok": "boolean", "at": "timestamp"}
LINES = [
    b'{"id":"A","n":1.50,"i":12,"ok":true,"at":"2025-06-03T05:31:30+05:30"}',
    b'{"id" : "B", "n" : 1e3, "i" : -0, "ok" : false, "at" : null, "note" : "x,\\"n\\":9.99"}',
    b'{"id":"C","n":129.90,"i":0,"ok":null,"at":"2025-06-03T00:01:30Z","n2":-12.300E-2}',
    b'{"id":"D","n":123456789012345678901234567890.10,"i":7,"at":"2025-06-03"}',
]
EXPECTED = [
    {"n": "1.50", "i": "12", "ok": "true", "at": "2025-06-03T05:31:30+05:30"},
    {"n": "1e3", "i": "-0", "ok": "false", "at": None},
    {"n": "129.90", "i": "0", "ok": None, "at": "2025-06-03T00:01:30Z"},
    {"n": "123456789012345678901234567890.10", "i": "7", "ok": None, "at": "2025-06-03"},
]


def _read(tmp_path: Path, content: bytes, spec: LandingSpec = JSONL, **kwargs: object) -> list:
    path = tmp_path / f"a.{spec.format}"
    path.write_bytes(content)
    table = read_landing_file(str(path), spec, ["id"], **kwargs).table  # type: ignore[arg-type]
    return table.to_pylist()


@pytest.mark.parametrize(
    "extra",
    [b"", b'{"id":"E","nested":{"a":[1.0,2e5, "s"]}}'],
    ids=["arrow-with-literal-cuts", "python-parser"],  # a nested value takes the exact path
)
def test_jsonl_keeps_every_value_as_its_literal_text(tmp_path: Path, extra: bytes) -> None:
    rows = _read(tmp_path, b"\n".join([*LINES, extra]) + b"\n", expected_types=TYPES)
    for row, expected in zip(rows, EXPECTED, strict=False):
        assert {k: row[k] for k in expected} == expected
    assert rows[1]["note"] == 'x,"n":9.99'
    assert rows[2]["n2"] == "-12.300E-2"
    if extra:
        assert rows[-1]["nested"] == '{"a":[1.0,2e5,"s"]}'


def test_jsonl_key_text_inside_a_string_value_is_not_taken_for_the_key(tmp_path: Path) -> None:
    content = b'{"id":"A","note":"{\\"n\\": 9.99, \\"n\\":8","n":1.50}\n'
    assert _read(tmp_path, content)[0]["n"] == "1.50"


def test_jsonl_mixed_kinds_in_a_column_are_kept_as_text(tmp_path: Path) -> None:
    rows = _read(tmp_path, b'{"id":"A","n":1.50}\n{"id":"B","n":"1,5"}\n{"id":"C","n":[1]}\n')
    assert [r["n"] for r in rows] == ["1.50", "1,5", "[1]"]


def test_jsonl_byte_order_mark_and_crlf_change_no_name_or_value(tmp_path: Path) -> None:
    content = b'\xef\xbb\xbf{"id":"A","n":1.50}\r\n\r\n{"id":"B","n":2}\r\n'
    rows = _read(tmp_path, content, expected_types=TYPES)
    assert rows == [{"id": "A", "n": "1.50"}, {"id": "B", "n": "2"}]


def test_jsonl_epoch_integer_for_a_timestamp_is_breaking_drift_on_both_paths(
    tmp_path: Path,
) -> None:
    for extra in (b"", b',"nested":{"a":1}'):
        path = tmp_path / "a.jsonl"
        path.write_bytes(b'{"id":"A","at":1748908290' + extra + b"}\n")
        with pytest.raises(SchemaDriftError, match=r"column 'at': expected timestamp, found int64"):
            read_landing_file(str(path), JSONL, ["id", "at"], expected_types=TYPES)


def test_csv_nulls_only_where_declared_by_default_only_the_empty_field(tmp_path: Path) -> None:
    content = b'id,country,note\nA,NA,N/A\nB,,""\nC,null,NULL\nD,nan,"NA"\n'
    rows = _read(tmp_path, content, CSV)
    assert [r["country"] for r in rows] == ["NA", None, "null", "nan"]
    assert [r["note"] for r in rows] == ["N/A", "", "NULL", "NA"]


def test_csv_declared_null_values_apply_to_unquoted_fields_only(tmp_path: Path) -> None:
    spec = LandingSpec(path="t/{date}/*.csv", format="csv", null_values=["NULL", "-"])
    rows = _read(tmp_path, b'id,v\nA,NULL\nB,-\nC,\nD,"NULL"\nE,NA\n', spec)
    assert [r["v"] for r in rows] == [None, None, "", "NULL", "NA"]


def test_csv_byte_order_mark_and_crlf_change_no_name_or_value(tmp_path: Path) -> None:
    content = b"\xef\xbb\xbfid,zip\r\nA,01234\r\nB,NA\r\n"
    rows = _read(tmp_path, content, CSV)
    assert rows == [{"id": "A", "zip": "01234"}, {"id": "B", "zip": "NA"}]


def test_csv_header_with_quoted_names_uses_the_declared_quote(tmp_path: Path) -> None:
    spec = LandingSpec(path="t/{date}/*.csv", format="csv", options={"quote_char": "'"})
    rows = _read(tmp_path, b"id,'a,b'\nA,'007'\n", spec)
    assert rows == [{"id": "A", "a,b": "007"}]
