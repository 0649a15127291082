"""CSV landing files: every column as text, nulls only where the declaration says."""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.csv as pacsv

from lakehouse.landing.parsing import (
    BOM,
    CHUNK,
    Landed,
    Unparsable,
    first_utf8_error,
    phrase,
    utf8_error,
)
from lakehouse.sources import LandingSpec


def _csv_header(file: pa.NativeFile, delimiter: str, quote: str) -> list[str]:
    """The header's column names, without a byte-order mark or a line ending."""
    first_line = b""
    while not re.search(b"[\r\n]", first_line) and (chunk := file.read(CHUNK)):
        first_line += chunk
    file.seek(0)
    raw = re.split(b"\r\n|\r|\n", first_line.removeprefix(BOM), maxsplit=1)[0]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise utf8_error(raw, error) from None
    return next(csv.reader([text], delimiter=delimiter, quotechar=quote), [])


def _csv_row_of_bad_width(file: pa.NativeFile, parse: pacsv.ParseOptions) -> int | None:
    """The row (header = row 1) a multi-threaded read could not place: re-read on one thread,
    streamed, up to that row."""
    rows: list[int | None] = []

    def first(row: pacsv.InvalidRow) -> str:
        rows.append(row.number)
        return "error"

    file.seek(0)
    options = pacsv.ParseOptions(
        delimiter=parse.delimiter,
        quote_char=parse.quote_char,
        newlines_in_values=True,
        invalid_row_handler=first,
    )
    one_thread = pacsv.ReadOptions(use_threads=False)
    with contextlib.suppress(pa.ArrowInvalid):
        for _ in pacsv.open_csv(file, read_options=one_thread, parse_options=options):
            pass
    return rows[0] if rows else None


def csv_blocks(
    file: pa.NativeFile, landing: LandingSpec, block_bytes: int
) -> Iterator[tuple[pa.Table, Landed]]:
    """The file's rows about ``block_bytes`` of text at a time, every column as text."""
    delimiter = landing.options.get("delimiter", ",")
    quote = landing.options.get("quote_char", '"')
    header = _csv_header(file, delimiter, quote)
    bad_width: list[tuple[int, int, int | None]] = []

    def refuse(row: pacsv.InvalidRow) -> str:
        bad_width.append((row.expected_columns, row.actual_columns, row.number))
        return "error"

    parse = pacsv.ParseOptions(
        delimiter=delimiter,
        quote_char=quote,
        newlines_in_values=True,  # a quoted field may hold a line break, across blocks too
        invalid_row_handler=refuse,
    )
    convert = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        null_values=landing.csv_null_values,
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    read = pacsv.ReadOptions(block_size=block_bytes)
    try:
        batches = pacsv.open_csv(
            file, read_options=read, parse_options=parse, convert_options=convert
        )
        landed: Landed = {name: (pa.string(),) for name in batches.schema.names}
        empty = True
        for batch in batches:
            empty = False
            yield pa.Table.from_batches([batch]), landed
        if empty:  # a header alone: its columns, no rows
            yield batches.schema.empty_table(), landed
    except pa.ArrowInvalid as error:
        raise _unparsable(file, error, header, bad_width, parse) from None


def _unparsable(
    file: pa.NativeFile,
    error: pa.ArrowInvalid,
    header: list[str],
    bad_width: list[tuple[int, int, int | None]],
    parse: pacsv.ParseOptions,
) -> Unparsable:
    """Why Arrow refused the file, with its position (row, column, line) and no value."""
    if bad_width:
        expected, found, row = bad_width[0]
        row = row or _csv_row_of_bad_width(file, parse)
        where = f"row {row} (the header is row 1)" if row else "a row"
        return Unparsable(f"{where}: expected {expected} fields, found {found}")
    column = re.search(r"CSV column #(\d+)", str(error))
    if column and "UTF8" in str(error) and (located := first_utf8_error(file)) is not None:
        name = header[int(column[1])] if int(column[1]) < len(header) else column[1]
        return Unparsable(f"column {name!r}, {located}")
    return Unparsable(phrase(str(error).removeprefix("CSV parse error: ")))
