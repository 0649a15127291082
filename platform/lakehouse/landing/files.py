"""Find and read a source's landing files for one day, every value kept as its landed text.

Bronze is lossless: each value is the exact text the file held, with no type inference.

* CSV: every column is text; a field is null only when it is unquoted and its text is one of
  the declaration's ``landing.null_values`` (default: only the empty field). A quoted field is
  always text.
* JSON lines: strings as their (unescaped) value, numbers as their literal text (``1.50`` stays
  ``"1.50"``), ``true``/``false`` as that text, ``null`` as null; a nested object or array as
  compact JSON text whose numbers keep their literal text.
* Parquet: the file's own types, rendered to text by Arrow's cast.

A UTF-8 byte-order mark and CRLF line endings never reach a value or a column name. Error
messages give the parser's position (line, row, column, field counts), never a landed value.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatch

import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import fs

from lakehouse.lake.filesystems import filesystem_for
from lakehouse.landing.csv_files import read_csv
from lakehouse.landing.jsonl_files import TEXT_TYPES, read_jsonl
from lakehouse.landing.parsing import Landed, Unparsable, is_blank, is_numeric, phrase
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
    "double": lambda t: is_numeric(t) or pa.types.is_string(t),
    "decimal": lambda t: is_numeric(t) or pa.types.is_string(t),
    "date": lambda t: pa.types.is_date(t) or pa.types.is_timestamp(t) or pa.types.is_string(t),
    "timestamp": lambda t: pa.types.is_timestamp(t) or pa.types.is_string(t),
}


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


def _read_parquet(file: pa.NativeFile) -> tuple[pa.Table, Landed]:
    """The file's own types, rendered to text by Arrow's cast."""
    table = pq.read_table(file)
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_null(field.type):
            columns.append(pa.nulls(len(column), pa.string()))
            continue
        try:
            columns.append(column.cast(pa.string()))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise Unparsable(
                f"column {field.name!r}: Parquet type {field.type} cannot be read as text"
            ) from None
    landed = {f.name: (f.type,) for f in table.schema}
    return pa.Table.from_arrays(columns, names=table.column_names), landed


def _parse(
    file: pa.NativeFile, landing: LandingSpec, text_columns: list[str]
) -> tuple[pa.Table, Landed]:
    """Parse from the (random-access) file: every column as text, and the types it landed as."""
    if landing.format == "parquet":
        return _read_parquet(file)
    if is_blank(file):
        return pa.table({}), {}
    if landing.format == "jsonl":
        return read_jsonl(file, text_columns)
    return read_csv(file, landing)


def _drift_problems(landed: Landed, required: list[str], expected: Mapping[str, str]) -> list[str]:
    problems = []
    for name in required:
        declared = expected.get(name, "string")
        if name not in landed:
            problems.append(f"column {name!r}: expected {declared}, found no such column")
            continue
        accepts = _COMPATIBLE["decimal" if declared.startswith("decimal") else declared]
        found = [t for t in landed[name] if not pa.types.is_null(t)]
        if not all(accepts(t) for t in found):
            problems.append(
                f"column {name!r}: expected {declared}, found {' and '.join(map(str, found))}"
            )
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
    """Read one landing file, every value as its landed text (see the module docstring).

    An empty file gives an empty table with the required columns. ``expected_types`` maps
    landed columns to declared types: a landed type that cannot hold the declared one (an
    epoch integer for a timestamp) is breaking drift.

    Raises:
        LandingFileError: the file is unreadable (corrupt, truncated, ragged rows, not UTF-8);
            the message gives the position (line, row, column) and never a landed value.
        SchemaDriftError: a required column is missing or retyped, or (when extra columns are
            not allowed) an undeclared column appeared.
    """
    expected = expected_types or {}
    text_columns = [c for c in required_columns if expected.get(c) in TEXT_TYPES]
    filesystem, path = filesystem_for(uri, storage_options)
    with filesystem.open_input_file(path) as file:
        size = file.size()
        try:
            table, landed = _parse(file, landing, text_columns)
        except (Unparsable, pa.ArrowInvalid, pa.ArrowTypeError) as error:
            reason = str(error) if isinstance(error, Unparsable) else phrase(str(error))
            file.seek(0)
            raise LandingFileError(
                f"cannot read landing file {uri} as {landing.format}: {reason}. "
                "Fix or remove the file and re-run the partition.",
                _estimated_rows(file.read(), landing),
            ) from None
    if table.num_columns == 0 and table.num_rows == 0:
        table = pa.table({c: pa.array([], pa.string()) for c in required_columns})
        landed = {c: () for c in required_columns}
    problems = _drift_problems(landed, required_columns, expected)
    if problems:
        raise SchemaDriftError(
            f"breaking schema drift in landing file {uri}: {'; '.join(problems)}. "
            "Fix the producer (or change the contract), then re-run the partition.",
            table.num_rows,
        )
    extra = [c for c in table.column_names if c not in required_columns]
    if extra and not allow_extra_columns:
        raise SchemaDriftError(
            f"schema drift in landing file {uri}: undeclared column(s) {extra} and the contract's "
            "schema_drift policy is 'strict'. Declare the columns or fix the producer.",
            table.num_rows,
        )
    return LandedFile(uri=uri, table=table, size_bytes=size)
