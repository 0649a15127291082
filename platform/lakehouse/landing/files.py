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

from collections.abc import Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatch
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import fs

from lakehouse.lake.filesystems import filesystem_for
from lakehouse.landing.csv_files import csv_blocks
from lakehouse.landing.jsonl_files import TEXT_TYPES, jsonl_blocks
from lakehouse.landing.parquet_files import parquet_blocks
from lakehouse.landing.parsing import CHUNK, Landed, Unparsable, is_blank, is_numeric, phrase
from lakehouse.sources import LandingSpec


class LandingFileError(ValueError):
    """A landing file cannot be taken in; the message names the file and what to do."""

    kind = "unreadable"

    def __init__(self, message: str, rows: int = 0) -> None:
        super().__init__(message)
        self.rows = rows


BLOCK_BYTES = 64 * 1024 * 1024
"""Text (CSV, JSON lines) parsed at a time: a file's memory is its blocks', not its size."""


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


def _estimated_rows(file: pa.NativeFile, landing: LandingSpec) -> int:
    """Rows a file held, for accounting when it cannot be parsed (lines; unknown for Parquet),
    counted a chunk at a time."""
    file.seek(0)
    if landing.format == "parquet":
        try:
            return pq.ParquetFile(file).metadata.num_rows
        except (pa.ArrowInvalid, OSError):
            return 0
    lines, pending = 0, b""
    while chunk := file.read(CHUNK):
        *whole, pending = (pending + chunk).split(b"\n")
        lines += sum(1 for line in whole if line.strip())
    lines += 1 if pending.strip() else 0
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


def landed_bytes(uris: Sequence[str], storage_options: Mapping[str, str] | None = None) -> int:
    """The total size of the files at ``uris``."""
    total = 0
    for uri in uris:
        filesystem, path = filesystem_for(uri, storage_options)
        total += filesystem.get_file_info(path).size or 0
    return total


def _blocks(
    file: pa.NativeFile, landing: LandingSpec, text_columns: list[str], block_bytes: int
) -> Iterator[tuple[pa.Table, Landed]]:
    """Parse from the (random-access) file, a block at a time: every column as text, and the
    types each column landed as."""
    if landing.format == "parquet":
        yield from parquet_blocks(file)
    elif not is_blank(file):
        if landing.format == "jsonl":
            yield from jsonl_blocks(file, text_columns, block_bytes)
        else:
            yield from csv_blocks(file, landing, block_bytes)


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


class LandingFileReader:
    """One landing file read a block at a time, every value as its landed text (see the
    module docstring); what it held (``rows``, ``columns``) is known once read to its end.

    A blank file holds the required columns and no rows. ``expected_types`` maps landed
    columns to declared types: a landed type that cannot hold the declared one (an epoch
    integer for a timestamp) is breaking drift.
    """

    def __init__(
        self,
        uri: str,
        landing: LandingSpec,
        required_columns: list[str],
        storage_options: Mapping[str, str] | None = None,
        *,
        expected_types: Mapping[str, str] | None = None,
        allow_extra_columns: bool = True,
        block_bytes: int = BLOCK_BYTES,
    ) -> None:
        self.uri = uri
        self.landing = landing
        self.required_columns = required_columns
        self.storage_options = storage_options
        self.expected = dict(expected_types or {})
        self.allow_extra_columns = allow_extra_columns
        self.block_bytes = block_bytes
        self.rows = 0
        self.columns: list[str] = []
        self.size_bytes = 0

    def blocks(self) -> Generator[pa.Table, None, None]:
        """The file's rows, a block at a time (columns may differ between a JSON file's blocks).

        Raises (possibly after yielding blocks: a file is decided when read to its end):
            LandingFileError: the file is unreadable (corrupt, truncated, ragged rows, not
                UTF-8); the message gives the position (line, row, column), never a value.
            SchemaDriftError: a required column is missing or retyped, or (when extra columns
                are not allowed) an undeclared column appeared.
        """
        self.rows, self.columns = 0, []
        landed: dict[str, tuple[pa.DataType, ...]] = {}
        drifted = False  # once drift is seen, the rest is only read to count (and to parse)
        text_columns = [c for c in self.required_columns if self.expected.get(c) in TEXT_TYPES]
        filesystem, path = filesystem_for(self.uri, self.storage_options)
        with filesystem.open_input_file(path) as file:
            self.size_bytes = file.size()
            try:
                for table, kinds in _blocks(file, self.landing, text_columns, self.block_bytes):
                    for name, types in kinds.items():
                        landed[name] = tuple(dict.fromkeys((*landed.get(name, ()), *types)))
                    self.columns.extend(c for c in table.column_names if c not in self.columns)
                    self.rows += table.num_rows
                    drifted = drifted or bool(self._retyped_or_extra(landed))
                    if not drifted and table.num_rows:
                        yield table
            except (Unparsable, pa.ArrowInvalid, pa.ArrowTypeError) as error:
                reason = str(error) if isinstance(error, Unparsable) else phrase(str(error))
                raise LandingFileError(
                    f"cannot read landing file {self.uri} as {self.landing.format}: {reason}. "
                    "Fix or remove the file and re-run the partition.",
                    _estimated_rows(file, self.landing),
                ) from None
        if not self.columns:  # a blank file
            self.columns = list(self.required_columns)
            landed = {c: () for c in self.required_columns}
        self._check_drift(landed)

    def read(self) -> LandedFile:
        """The whole file as one table (its blocks concatenated, in the file's column order)."""
        blocks = list(self.blocks())
        table = pa.table({c: pa.array([], pa.string()) for c in self.columns})
        if blocks:
            table = pa.concat_tables(blocks, promote_options="default").select(self.columns)
        return LandedFile(uri=self.uri, table=table, size_bytes=self.size_bytes)

    def _retyped_or_extra(self, landed: Landed) -> bool:
        present = [c for c in self.required_columns if c in landed]
        extra = [c for c in landed if c not in self.required_columns]
        retyped = _drift_problems(landed, present, self.expected)
        return bool(retyped) or (bool(extra) and not self.allow_extra_columns)

    def _check_drift(self, landed: Landed) -> None:
        problems = _drift_problems(landed, self.required_columns, self.expected)
        if problems:
            raise SchemaDriftError(
                f"breaking schema drift in landing file {self.uri}: {'; '.join(problems)}. "
                "Fix the producer (or change the contract), then re-run the partition.",
                self.rows,
            )
        extra = [c for c in self.columns if c not in self.required_columns]
        if extra and not self.allow_extra_columns:
            raise SchemaDriftError(
                f"schema drift in landing file {self.uri}: undeclared column(s) {extra} and the "
                "contract's schema_drift policy is 'strict'. Declare the columns or fix the "
                "producer.",
                self.rows,
            )


def read_landing_file(
    uri: str,
    landing: LandingSpec,
    required_columns: list[str],
    storage_options: Mapping[str, str] | None = None,
    **options: Any,
) -> LandedFile:
    """Read one landing file whole: ``LandingFileReader(...).read()`` (``options`` are its
    keyword arguments). Raises what ``LandingFileReader.blocks`` raises."""
    return LandingFileReader(uri, landing, required_columns, storage_options, **options).read()
