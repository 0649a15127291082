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
    """A landing file cannot be read or lacks declared columns; the message names the file."""


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


def _parse(raw: bytes, landing: LandingSpec) -> pa.Table:
    if landing.format == "parquet":
        return pq.read_table(io.BytesIO(raw))
    if not raw.strip():
        return pa.table({})
    if landing.format == "jsonl":
        return pajson.read_json(io.BytesIO(raw))
    delimiter = landing.options.get("delimiter", ",")
    quote = landing.options.get("quote_char", '"')
    header = next(
        csv.reader(io.StringIO(raw.decode("utf-8").split("\n", 1)[0]), delimiter=delimiter)
    )
    return pacsv.read_csv(
        io.BytesIO(raw),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=quote),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header}, strings_can_be_null=True
        ),
    )


def read_landing_file(
    uri: str,
    landing: LandingSpec,
    required_columns: list[str],
    storage_options: Mapping[str, str] | None = None,
) -> LandedFile:
    """Read one landing file, all columns as strings.

    An empty file gives an empty table with the required columns.

    Raises:
        LandingFileError: the file is unreadable (corrupt, truncated) or lacks a required column.
    """
    filesystem, path = filesystem_for(uri, storage_options)
    with filesystem.open_input_stream(path) as stream:
        raw = stream.read()
    try:
        table = _strings(_parse(raw, landing))
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LandingFileError(
            f"cannot read landing file {uri} as {landing.format}: {exc}. "
            "Fix or remove the file and re-run the partition."
        ) from None
    if table.num_columns == 0 and table.num_rows == 0:
        table = pa.table({c: pa.array([], pa.string()) for c in required_columns})
    missing = [c for c in required_columns if c not in table.column_names]
    if missing:
        raise LandingFileError(
            f"landing file {uri} lacks declared column(s) {missing}; it has {table.column_names}. "
            "Fix the producer or the source declaration, then re-run the partition."
        )
    return LandedFile(uri=uri, table=table, size_bytes=len(raw))
