"""Parquet landing files: the file's own types, rendered to text by Arrow's cast."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from lakehouse.landing.parsing import Landed, Unparsable

BATCH_ROWS = 65_536
"""Rows of a Parquet landing file read at a time."""


def parquet_blocks(file: pa.NativeFile) -> Iterator[tuple[pa.Table, Landed]]:
    """The file's own types, rendered to text by Arrow's cast, a batch at a time."""
    parquet = pq.ParquetFile(file)
    schema = parquet.schema_arrow
    landed = {f.name: (f.type,) for f in schema}
    for field in schema:
        if not pa.types.is_null(field.type) and not _castable_to_text(field.type):
            raise Unparsable(
                f"column {field.name!r}: Parquet type {field.type} cannot be read as text"
            )
    empty = True
    for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        empty = False
        yield _as_text(pa.Table.from_batches([batch])), landed
    if empty:
        yield _as_text(schema.empty_table()), landed


def _castable_to_text(kind: pa.DataType) -> bool:
    try:
        pa.array([], kind).cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return True


def _as_text(table: pa.Table) -> pa.Table:
    columns = [
        pa.nulls(len(column), pa.string())
        if pa.types.is_null(column.type)
        else column.cast(pa.string())
        for column in table.columns
    ]
    return pa.Table.from_arrays(columns, names=table.column_names)
