"""Find and read a source's landing files for one day, every value kept as landed text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatch

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
from pyarrow import fs

from lakehouse.lake.filesystems import filesystem_for
from lakehouse.sources import LandingSpec


class LandingFileError(ValueError):
    """A landing file cannot be taken in; the message names the file and what to do."""

    kind = "unreadable"

    def __init__(self, message: str, rows: int = 0) -> None:
        super().__init__(message)
        self.rows = rows


class SchemaDriftError(LandingFileError):
    """A landing file's columns break the contract (missing, retyped or unexpected columns)."""

    kind = "schema_drift"


_COMPATIBLE = {
    "string": lambda t: True,
    "boolean": lambda t: pa.types.is_boolean(t) or pa.types.is_string(t),
    "int": lambda t: pa.types.is_integer(t) or pa.types.is_string(t),
    "bigint": lambda t: pa.types.is_integer(t) or pa.types.is_string(t),
    "double": lambda t: _numeric(t) or pa.types.is_string(t),
    "decimal": lambda t: _numeric(t) or pa.types.is_string(t),
    "date": lambda t: pa.types.is_date(t) or pa.types.is_timestamp(t) or pa.types.is_string(t),
    "timestamp": lambda t: pa.types.is_timestamp(t) or pa.types.is_string(t),
}


def _numeric(t: pa.DataType) -> bool:
    return pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)


def _estimated_rows(raw: bytes, landing: LandingSpec) -> int:
    """Rows a file held, for accounting when it cannot be parsed (lines; unknown for Parquet)."""
    if landing.format == "parquet":
        try:
            return pq.ParquetFile(io.BytesIO(raw)).metadata.num_rows
        except (pa.ArrowInvalid, OSError):
            return 0
    lines = sum(1 for line in raw.splitlines() if line.strip())
    return max(lines - 1, 0) if landing.format == "csv" else lines


@dataclass(frozen=True)
class LandedFile:
    """One landing file read into Arrow, all columns as strings."""

    uri: str
    table: pa.Table
    size_bytes: int


def _join(root: str, relative: str) -> str:
    return f"{root.rstrip('/')}/{relative.lstrip('/')}"


def list_landing_files(
    landing_root: str,
    landing: LandingSpec,
    day: date,
    storage_options: Mapping[str, str] | None = None,
) -> list[str]:
    """URIs of the day's files matching the declaration's path pattern, sorted by name."""
    pattern = landing.path.replace("{date}", day.isoformat())
    folder, _, name_glob = pattern.rpartition("/")
    filesystem, base = filesystem_for(_join(landing_root, folder), storage_options)
    info = filesystem.get_file_info(base)
    if info.type == fs.FileType.NotFound:
        return []
    selector = fs.FileSelector(base, recursive=False)
    names = sorted(
        i.base_name
        for i in filesystem.get_file_info(selector)
        if i.type == fs.FileType.File and fnmatch(i.base_name, name_glob or "*")
    )
    return [_join(_join(landing_root, folder), n) for n in names]


def _strings(table: pa.Table) -> pa.Table:
    """Every column as text: landed types disagree between formats, days and producers."""
    columns = [
        pa.nulls(len(c), pa.string()) if pa.types.is_null(c.type) else c.cast(pa.string())
        for c in table.columns
    ]
    return pa.Table.from_arrays(columns, names=table.column_names)


_CHUNK = 64 * 1024


def _is_blank(file: pa.NativeFile) -> bool:
    """Whether the file holds only whitespace: reads until a chunk holds anything else, rewinds."""
    blank = True
    while blank and (chunk := file.read(_CHUNK)):
        blank = not chunk.strip()
    file.seek(0)
    return blank


def _csv_header(file: pa.NativeFile, delimiter: str) -> list[str]:
    first_line = b""
    while b"\n" not in first_line and (chunk := file.read(_CHUNK)):
        first_line += chunk
    file.seek(0)
    text = first_line.split(b"\n", 1)[0].decode("utf-8")
    return next(csv.reader(io.StringIO(text), delimiter=delimiter), [])


def _parse(file: pa.NativeFile, landing: LandingSpec) -> pa.Table:
    """Parse straight from the (random-access) file: no copy of its bytes is held."""
    if landing.format == "parquet":
        return pq.read_table(file)
    if _is_blank(file):
        return pa.table({})
    if landing.format == "jsonl":
        return pajson.read_json(file)
    delimiter = landing.options.get("delimiter", ",")
    quote = landing.options.get("quote_char", '"')
    header = _csv_header(file, delimiter)
    return pacsv.read_csv(
        file,
        parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=quote),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header}, strings_can_be_null=True
        ),
    )


def _drift_problems(
    parsed: pa.Table, required: list[str], expected: Mapping[str, str]
) -> list[str]:
    problems = []
    for name in required:
        declared = expected.get(name, "string")
        if name not in parsed.column_names:
            problems.append(f"column {name!r}: expected {declared}, found no such column")
            continue
        found = parsed.schema.field(name).type
        accepts = _COMPATIBLE["decimal" if declared.startswith("decimal") else declared]
        if not pa.types.is_null(found) and not accepts(found):
            problems.append(f"column {name!r}: expected {declared}, found {found}")
    return problems


def read_landing_file(
    uri: str,
    landing: LandingSpec,
    required_columns: list[str],
    storage_options: Mapping[str, str] | None = None,
    *,
    expected_types: Mapping[str, str] | None = None,
    allow_extra_columns: bool = True,
) -> LandedFile:
    """Read one landing file, all columns as strings.

    An empty file gives an empty table with the required columns. ``expected_types`` maps
    landed columns to declared types: a landed type that cannot hold the declared one (an
    epoch integer for a timestamp) is breaking drift.

    Raises:
        LandingFileError: the file is unreadable (corrupt, truncated).
        SchemaDriftError: a required column is missing or retyped, or (when extra columns are
            not allowed) an undeclared column appeared.
    """
    filesystem, path = filesystem_for(uri, storage_options)
    with filesystem.open_input_file(path) as file:
        size = file.size()
        try:
            parsed = _parse(file, landing)
        except (
            pa.ArrowInvalid,
            pa.ArrowTypeError,
            UnicodeDecodeError,
            json.JSONDecodeError,
        ) as exc:
            file.seek(0)
            raise LandingFileError(
                f"cannot read landing file {uri} as {landing.format}: {exc}. "
                "Fix or remove the file and re-run the partition.",
                _estimated_rows(file.read(), landing),
            ) from None
    if parsed.num_columns == 0 and parsed.num_rows == 0:
        parsed = pa.table({c: pa.array([], pa.string()) for c in required_columns})
    problems = _drift_problems(parsed, required_columns, expected_types or {})
    if problems:
        raise SchemaDriftError(
            f"breaking schema drift in landing file {uri}: {'; '.join(problems)}. "
            "Fix the producer (or change the contract), then re-run the partition.",
            parsed.num_rows,
        )
    extra = [c for c in parsed.column_names if c not in required_columns]
    if extra and not allow_extra_columns:
        raise SchemaDriftError(
            f"schema drift in landing file {uri}: undeclared column(s) {extra} and the contract's "
            "schema_drift policy is 'strict'. Declare the columns or fix the producer.",
            parsed.num_rows,
        )
    return LandedFile(uri=uri, table=_strings(parsed), size_bytes=size)
