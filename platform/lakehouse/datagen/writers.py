"""Serialise generated tables into landed bytes: JSON lines, CSV, or Parquet.

Tables arrive typed (cents as int64 marked as money, timestamps as ``timestamp[s, UTC]``) and
leave in the source's landed representation, as a list of byte chunks to write in order.
Lines are assembled by Arrow kernels in chunks of rows, so no Python loop runs per row.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lakehouse.datagen.columns import format_cents, format_timestamps, is_money
from lakehouse.datagen.domain import SourceSpec
from lakehouse.datagen.facts import OFFSET_COLUMN

Payload = list[pa.Buffer]
"""A file's bytes as consecutive chunks."""

_CHUNK_ROWS = 1 << 19
_CSV_SPECIAL = r'[,"\r\n]'


def payload_bytes(payload: Payload) -> bytes:
    """The whole file as one ``bytes`` object (copies; meant for small files and tests)."""
    return b"".join(chunk.to_pybytes() for chunk in payload)


def _visible(table: pa.Table) -> list[str]:
    return [name for name in table.column_names if not name.startswith("_")]


def _string_bytes(text: pa.Array) -> pa.Buffer:
    """The concatenated characters of a string array, without copying."""
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)
    start, stop = int(offsets[text.offset]), int(offsets[text.offset + len(text)])
    data = text.buffers()[2]
    return data.slice(start, stop - start) if data is not None else pa.py_buffer(b"")


def _needs_json_escape(text: pa.Array) -> bool:
    """Whether any value holds a quote, backslash or control character."""
    raw = np.frombuffer(_string_bytes(text), dtype=np.uint8)
    return bool(((raw < 0x20) | (raw == ord('"')) | (raw == ord("\\"))).any())


def _timestamp_text(table: pa.Table, name: str, spec: SourceSpec) -> pa.Array:
    column = table.column(name).combine_chunks()
    if spec.time_style == "zulu":
        return format_timestamps(column, None, zulu=True)
    offsets = None
    if OFFSET_COLUMN in table.column_names:
        offsets = table.column(OFFSET_COLUMN).to_numpy()
    return format_timestamps(column, offsets, zulu=False)


def _json_values(table: pa.Table, name: str, spec: SourceSpec) -> tuple[pa.Array, bool]:
    """The column as JSON text, and whether the caller must still wrap it in quotes.

    Strings without nulls or characters to escape are returned bare so the quotes can ride on
    the literal pieces of the line; everything else comes back as finished JSON values.
    """
    field = table.schema.field(name)
    column = table.column(name).combine_chunks()
    if is_money(field):
        return format_cents(column).fill_null("null"), False
    if pa.types.is_integer(field.type) or pa.types.is_floating(field.type):
        return pc.cast(column, pa.string()).fill_null("null"), False
    if pa.types.is_boolean(field.type):
        return pc.if_else(column, "true", "false").fill_null("null"), False
    if pa.types.is_timestamp(field.type):
        text = _timestamp_text(table, name, spec)
    else:
        text = pc.cast(column, pa.string())
    if _needs_json_escape(text):
        values = text.to_pylist()
        escaped = ["null" if v is None else json.dumps(v, ensure_ascii=False) for v in values]
        return pa.array(escaped, pa.string()), False
    if text.null_count:
        return pc.binary_join_element_wise('"', text, '"', "").fill_null("null"), False
    return text, True


def to_jsonl(table: pa.Table, spec: SourceSpec) -> Payload:
    """One JSON object per line, keys in column order, amounts as numbers with 2 decimals."""
    names, payload = _visible(table), []
    for start in range(0, table.num_rows, _CHUNK_ROWS):
        chunk = table.slice(start, _CHUNK_ROWS)
        pieces: list[pa.Array | str] = []
        literal = ""
        for i, name in enumerate(names):
            literal += ("{" if i == 0 else ",") + json.dumps(name) + ":"
            text, bare = _json_values(chunk, name, spec)
            pieces += [literal + ('"' if bare else ""), text]
            literal = '"' if bare else ""
        pieces.append(literal + "}\n")
        payload.append(_string_bytes(pc.binary_join_element_wise(*pieces, "")))
    return payload


def _csv_values(table: pa.Table, name: str, spec: SourceSpec) -> pa.Array:
    """The column as CSV field text: quoted only when needed, nulls as empty fields."""
    field = table.schema.field(name)
    column = table.column(name).combine_chunks()
    if is_money(field):
        text = format_cents(column)
    elif pa.types.is_timestamp(field.type):
        text = _timestamp_text(table, name, spec)
    elif pa.types.is_boolean(field.type):
        text = pc.if_else(column, "true", "false")
    else:
        text = pc.cast(column, pa.string())
    needs_quotes = pc.or_(pc.match_substring_regex(text, _CSV_SPECIAL), pc.equal(text, ""))
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(needs_quotes, quoted, text).fill_null("")


def to_csv(table: pa.Table, spec: SourceSpec) -> Payload:
    """RFC 4180 CSV with a header: comma separated, LF line ends, a field quoted only when it
    holds a comma, quote or line break (or is an empty string); nulls are empty fields.
    """
    names = _visible(table)
    payload = [pa.py_buffer((",".join(names) + "\n").encode())]
    for start in range(0, table.num_rows, _CHUNK_ROWS):
        chunk = table.slice(start, _CHUNK_ROWS)
        pieces: list[pa.Array | str] = []
        for i, name in enumerate(names):
            pieces += [","] if i else []
            pieces.append(_csv_values(chunk, name, spec))
        pieces.append("\n")
        payload.append(_string_bytes(pc.binary_join_element_wise(*pieces, "")))
    return payload


def to_parquet(table: pa.Table) -> Payload:
    """Parquet with fixed writer options; amounts as float64, timestamps as ``[us, UTC]``."""
    columns, names = [], _visible(table)
    for name in names:
        field, column = table.schema.field(name), table.column(name).combine_chunks()
        if is_money(field):
            column = pc.divide(pc.cast(column, pa.float64()), 100.0)
        elif pa.types.is_timestamp(field.type):
            column = column.cast(pa.timestamp("us", tz="UTC"))
        columns.append(column)
    sink = pa.BufferOutputStream()
    pq.write_table(
        pa.Table.from_arrays(columns, names=names),
        sink,
        compression="zstd",
        compression_level=3,
        use_dictionary=True,
        write_statistics=True,
        version="2.6",
    )
    return [sink.getvalue()]


def serialise(table: pa.Table, spec: SourceSpec) -> Payload:
    """Bytes of ``table`` in ``spec``'s landing format."""
    if spec.format == "jsonl":
        return to_jsonl(table, spec)
    if spec.format == "csv":
        return to_csv(table, spec)
    return to_parquet(table)
