"""JSON-lines landing files: every value as its literal text (numbers as written)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from lakehouse.landing.parsing import (
    BOM,
    CHUNK,
    JSON_SPACE,
    Landed,
    Unparsable,
    is_numeric,
    phrase,
    utf8_error,
)

_NUMBER_TOKEN = r"(?P<v>[^,} \t\r\n]+)"
"""A number Arrow has parsed runs to the next delimiter; no delimiter occurs inside it."""
_FAST_KEY = re.compile(r"[A-Za-z0-9_]+")
_SPACE = r"[ \t\r\n]*"
TEXT_TYPES = ("string", "date", "timestamp")


class _Number(str):
    """A JSON number (or NaN/Infinity) as its literal text."""


class _DuplicateKeyError(ValueError):
    """An object names the same key twice: which value was meant is not known."""


def _members(pairs: list[tuple[str, object]]) -> dict[str, object]:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise _DuplicateKeyError
    return members


_DECODER = json.JSONDecoder(
    object_pairs_hook=_members, parse_float=_Number, parse_int=_Number, parse_constant=_Number
)


def _json_lines(data: pa.Buffer, rows: int) -> pa.Array:
    """The non-blank lines of ``data`` as strings sharing its memory (``rows`` expected)."""
    newlines = np.flatnonzero(np.frombuffer(data, np.uint8) == 0x0A)
    offsets = np.concatenate([[0], newlines + 1, [data.size]]).astype(np.int64)
    lines = pa.LargeStringArray.from_buffers(len(offsets) - 1, pa.py_buffer(offsets), data)
    if len(lines) == rows + 1 and offsets[-1] == offsets[-2]:
        return lines.slice(0, rows)  # no blank line but the end of the last one
    blank = pc.match_substring_regex(lines, f"^{_SPACE}$")
    return cast(pa.Array, lines.filter(pc.invert(blank)))


def _literal_texts(data: pa.Buffer, parsed: pa.Table) -> pa.Table | None:
    """Arrow's parse with every value as its literal text; None where that cannot be exact.

    Integers cast to their own text (JSON allows one spelling, but for ``-0``); other numbers
    and timestamps are cut from their line after the key token ``[{,] "key" :``, which never
    matches inside a string (a quote there is escaped) and is unique (Arrow refuses duplicate
    keys). Nested values, unusual keys and escaped timestamps return None.
    """
    columns: list[pa.ChunkedArray | pa.Array] = []
    lines = _json_lines(data, parsed.num_rows)  # shares the buffer: no copy of the file
    if len(lines) != parsed.num_rows:
        return None
    for name, column in zip(parsed.column_names, parsed.columns, strict=True):
        kind = column.type
        if pa.types.is_string(kind):
            columns.append(column)
        elif pa.types.is_null(kind):
            columns.append(pa.nulls(len(column), pa.string()))
        elif pa.types.is_boolean(kind) or (
            pa.types.is_integer(kind) and not pc.any(pc.equal(column, 0)).as_py()
        ):
            columns.append(column.cast(pa.string()))
        elif (is_numeric(kind) or pa.types.is_temporal(kind)) and _FAST_KEY.fullmatch(name):
            value = _NUMBER_TOKEN if is_numeric(kind) else r'"(?P<v>[^"\\]*)"'
            pattern = f'[{{,]{_SPACE}"{name}"{_SPACE}:{_SPACE}{value}'
            found = pc.struct_field(pc.extract_regex(lines, pattern), [0]).cast(pa.string())
            present = pc.is_valid(column)
            if pc.any(pc.and_(present, pc.is_null(found))).as_py():
                return None
            columns.append(pc.if_else(present, found, pa.scalar(None, pa.string())))
        else:
            return None
    return pa.Table.from_arrays(columns, names=parsed.column_names)


def _nested_text(value: object) -> str:
    """Compact JSON text of a nested value, numbers as their literal text."""
    if isinstance(value, _Number):
        return str.__str__(value)
    if isinstance(value, dict):
        members = (f"{_nested_text(k)}:{_nested_text(v)}" for k, v in value.items())
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_nested_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, _Number):
        return "a number"
    return "a string" if isinstance(value, str) else "true, false or null"


def _kind(value: object) -> pa.DataType:
    if isinstance(value, _Number):
        integral = value.lstrip("-").isdigit()
        return pa.int64() if integral else pa.float64()
    if isinstance(value, str):
        return pa.string()
    if isinstance(value, bool):
        return pa.bool_()
    return pa.struct([]) if isinstance(value, dict) else pa.list_(pa.null())


def _text(value: object) -> str | None:
    if value is None or type(value) is str:
        return value  # type: ignore[return-value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return _nested_text(value)


def _column(name: str, values: list[object]) -> tuple[pa.Array, tuple[pa.DataType, ...]]:
    """One column's texts and the kinds of JSON value it held (int and float merge to float)."""
    kinds = {_kind(v) for v in values if v is not None}
    if {pa.int64(), pa.float64()} <= kinds:
        kinds.discard(pa.int64())
    texts = values if kinds <= {pa.string()} else [_text(v) for v in values]
    try:
        array = pa.array(texts, pa.string())
    except (UnicodeEncodeError, pa.ArrowInvalid):
        raise Unparsable(f"column {name!r}: text that is not valid Unicode") from None
    return array, tuple(sorted(kinds, key=str))


def _read_jsonl_exactly(data: pa.Buffer, first_line: int = 1) -> tuple[pa.Table, Landed]:
    """Line by line with Python's JSON parser: slower, exact, and precise about errors
    (``first_line``: the number of the block's first line in its file)."""
    raw = data.to_pybytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise utf8_error(raw, error, first_line) from None
    rows: list[dict[str, object]] = []
    for number, line in enumerate(text.split("\n"), start=first_line):
        if not line.strip(JSON_SPACE):
            continue
        try:
            row = _DECODER.decode(line)
        except json.JSONDecodeError as error:
            where = f"line {number}, column {error.colno}"
            raise Unparsable(f"{where}: not valid JSON ({phrase(error.msg)})") from None
        except _DuplicateKeyError:
            raise Unparsable(f"line {number}: an object names the same key twice") from None
        if not isinstance(row, dict):
            found = _json_kind(row)
            raise Unparsable(f"line {number}: expected a JSON object, found {found}")
        rows.append(row)
    names = list(dict.fromkeys(k for row in rows for k in row))
    arrays, landed = [], {}
    for name in names:
        arrays.append((parsed := _column(name, [row.get(name) for row in rows]))[0])
        landed[name] = parsed[1]
    return pa.Table.from_arrays(arrays, names=names), landed


def _first_line(data: pa.Buffer) -> bytes:
    """The first non-blank line of ``data``, read a chunk at a time."""
    reader, pending, searched = pa.BufferReader(data), bytearray(), 0
    while chunk := reader.read(CHUNK):
        pending += chunk
        while (cut := pending.find(b"\n", searched)) >= 0:
            line, searched = bytes(pending[:cut]), 0
            del pending[: cut + 1]
            if line.strip():
                return line
        searched = len(pending)
    return bytes(pending)


def _first_keys(data: pa.Buffer) -> list[str] | None:
    """The keys of the first line's object, in order (None if that line is not one)."""
    try:
        first = json.loads(_first_line(data))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return list(first) if isinstance(first, dict) else None


def _block_end(file: pa.NativeFile, start: int, size: int, block_bytes: int) -> int:
    """Where the block starting at ``start`` ends: after its last line break within
    ``block_bytes`` (after the first one beyond, when one line is longer), or at the end."""
    limit = start + block_bytes
    if limit >= size:
        return size
    high = limit
    while high > start:  # backwards from the limit, a chunk at a time
        low = max(start, high - CHUNK)
        file.seek(low)
        cut = file.read(high - low).rfind(b"\n")
        if cut >= 0:
            return low + cut + 1
        high = low
    while limit < size:  # a line longer than a block: to its end
        file.seek(limit)
        ahead = file.read(CHUNK)
        if (cut := ahead.find(b"\n")) >= 0:
            return limit + cut + 1
        limit += len(ahead)
    return size


def jsonl_blocks(
    file: pa.NativeFile, text_columns: list[str], block_bytes: int
) -> Iterator[tuple[pa.Table, Landed]]:
    """The file's rows a block of whole lines (about ``block_bytes``) at a time, parsed as in
    ``read_jsonl_block``; positions in errors count lines from the file's start."""
    size, start, first_line = file.size(), 0, 1
    while start < size:
        end = _block_end(file, start, size, block_bytes)
        file.seek(start)
        data = file.read_buffer(end - start)
        if start == 0 and data.slice(0, 3).to_pybytes() == BOM:
            data = data.slice(3)
        yield read_jsonl_block(data, text_columns, first_line)
        first_line += int(np.count_nonzero(np.frombuffer(data, np.uint8) == 0x0A))
        start = end


def read_jsonl_block(
    data: pa.Buffer, text_columns: list[str], first_line: int = 1
) -> tuple[pa.Table, Landed]:
    """Arrow's fast parser plus literal texts; Python's parser when that cannot be exact.

    ``data`` holds whole lines, the first of them line ``first_line`` of its file.
    ``text_columns`` (declared as text, dates or timestamps) are parsed by Arrow as strings,
    which keeps their text without a cut; one that is a number or absent falls back to Python.
    """
    keys = _first_keys(data)
    try:
        if keys is None:
            raise pa.ArrowInvalid("the first line is not an object")
        explicit = pa.schema([(name, pa.string()) for name in text_columns])
        options = pajson.ParseOptions(explicit_schema=explicit, unexpected_field_behavior="infer")
        parsed = pajson.read_json(pa.BufferReader(data), parse_options=options)
        if any(parsed.column(name).null_count == parsed.num_rows for name in text_columns):
            raise pa.ArrowInvalid("a text column is absent or empty: ask Python whether it is")
        table = _literal_texts(data, parsed)
        if table is not None:
            table.validate(full=True)  # Arrow does not check UTF-8 inside JSON strings
            order = [k for k in keys if k in table.column_names]
            order += [c for c in table.column_names if c not in order]
            landed = {field.name: (field.type,) for field in parsed.schema}
            return table.select(order), landed
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass  # Python's parser decides: exact texts, or an error with its position
    return _read_jsonl_exactly(data, first_line)
