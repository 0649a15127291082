"""CSV landing files: every column as text, nulls only where the declaration says."""

from __future__ import annotations

import contextlib
import csv
import re

import pyarrow as pa
import pyarrow.csv as pacsv

from lakehouse.landing.parsing import BOM, CHUNK, Landed, Unparsable, phrase, utf8_error
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
    """The row (header = row 1) a multi-threaded read could not place: re-read on one thread."""
    rows: list[int | None] = []

    def first(row: pacsv.InvalidRow) -> str:
        rows.append(row.number)
        return "error"

    file.seek(0)
    options = pacsv.ParseOptions(
        delimiter=parse.delimiter, quote_char=parse.quote_char, invalid_row_handler=first
    )
    one_thread = pacsv.ReadOptions(use_threads=False)
    with contextlib.suppress(pa.ArrowInvalid):
        pacsv.read_csv(file, read_options=one_thread, parse_options=options)
    return rows[0] if rows else None


def read_csv(file: pa.NativeFile, landing: LandingSpec) -> tuple[pa.Table, Landed]:
    delimiter = landing.options.get("delimiter", ",")
    quote = landing.options.get("quote_char", '"')
    header = _csv_header(file, delimiter, quote)
    bad_width: list[tuple[int, int, int | None]] = []

    def refuse(row: pacsv.InvalidRow) -> str:
        bad_width.append((row.expected_columns, row.actual_columns, row.number))
        return "error"

    parse = pacsv.ParseOptions(delimiter=delimiter, quote_char=quote, invalid_row_handler=refuse)
    convert = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        null_values=landing.csv_null_values,
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    try:
        table = pacsv.read_csv(file, parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid as error:
        if bad_width:
            expected, found, row = bad_width[0]
            row = row or _csv_row_of_bad_width(file, parse)
            where = f"row {row} (the header is row 1)" if row else "a row"
            raise Unparsable(f"{where}: expected {expected} fields, found {found}") from None
        column = re.search(r"CSV column #(\d+)", str(error))
        if column and "UTF8" in str(error):
            file.seek(0)
            raw = file.read()
            name = header[int(column[1])] if int(column[1]) < len(header) else column[1]
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as decode:
                raise Unparsable(f"column {name!r}, {utf8_error(raw, decode)}") from None
        raise Unparsable(phrase(str(error).removeprefix("CSV parse error: "))) from None
    return table, {name: (pa.string(),) for name in table.column_names}
