"""What every landing reader shares: positions-only parse errors, blank files, the BOM."""

from __future__ import annotations

import pyarrow as pa


class Unparsable(Exception):
    """Where and why a file does not parse; the text holds positions only, never values."""


Landed = dict[str, tuple[pa.DataType, ...]]
"""Per column, the types its values had in the file (JSON kinds, Parquet types; CSV: string)."""


CHUNK = 64 * 1024
BOM = b"\xef\xbb\xbf"
JSON_SPACE = " \t\r\n"


def is_blank(file: pa.NativeFile) -> bool:
    """Whether the file holds only whitespace: reads until a chunk holds anything else, rewinds."""
    blank, first = True, True
    while blank and (chunk := file.read(CHUNK)):
        blank = not (chunk.removeprefix(BOM) if first else chunk).strip()
        first = False
    file.seek(0)
    return blank


def phrase(message: str) -> str:
    """A parser message cut before its first ``:``, where parsers append the offending text."""
    return message.split(":", 1)[0].strip().rstrip(".")


def utf8_error(raw: bytes, error: UnicodeDecodeError) -> Unparsable:
    line = 1 + raw.count(b"\n", 0, error.start)
    column = error.start - raw.rfind(b"\n", 0, error.start)
    return Unparsable(f"line {line}, byte {column}: not valid UTF-8")


def is_numeric(t: pa.DataType) -> bool:
    """Integer, floating or decimal."""
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
