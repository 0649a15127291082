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


def utf8_error(raw: bytes, error: UnicodeDecodeError, first_line: int = 1) -> Unparsable:
    """Where ``raw`` (whose first line is line ``first_line``) stops being UTF-8."""
    line = first_line + raw.count(b"\n", 0, error.start)
    column = error.start - raw.rfind(b"\n", 0, error.start)
    return Unparsable(f"line {line}, byte {column}: not valid UTF-8")


def is_numeric(t: pa.DataType) -> bool:
    """Integer, floating or decimal."""
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


def first_utf8_error(file: pa.NativeFile) -> Unparsable | None:
    """Where the file first stops being UTF-8, read a chunk at a time (None: it is UTF-8)."""
    file.seek(0)
    pending, offset, line, line_start = b"", 0, 1, 0  # offset: of ``pending`` in the file
    while chunk := file.read(CHUNK):
        raw = pending + chunk
        try:
            raw.decode("utf-8")
            good = len(raw)
        except UnicodeDecodeError as error:
            if error.end < len(raw) or len(raw) - error.start > 3 or len(chunk) < CHUNK:
                at = error.start
                line += raw.count(b"\n", 0, at)
                last = raw.rfind(b"\n", 0, at)
                start = offset + last + 1 if last >= 0 else line_start
                return Unparsable(f"line {line}, byte {offset + at - start + 1}: not valid UTF-8")
            good = error.start  # a character cut by the chunk's end: decided with the next
        line += raw.count(b"\n", 0, good)
        if (last := raw.rfind(b"\n", 0, good)) >= 0:
            line_start = offset + last + 1
        pending, offset = raw[good:], offset + good
    if pending:  # the file ends inside a character
        line_start_in = offset - line_start + 1
        return Unparsable(f"line {line}, byte {line_start_in}: not valid UTF-8")
    return None
