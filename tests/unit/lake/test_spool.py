"""A spool parks rows on local disk: the same rows back, cast to the schema, in bounded batches."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from lakehouse.lake import spool as spools
from lakehouse.lake.spool import as_table, column_of, extremes, row_count, spool

SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string())])


def test_rows_come_back_cast_in_batches_of_bounded_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spools, "ROW_GROUP_ROWS", 4)
    narrow = pa.table({"id": pa.array(range(10), pa.int32()), "name": [f"n{i}" for i in range(10)]})
    reader = pa.RecordBatchReader.from_batches(narrow.schema, narrow.to_batches())

    rows = spool(reader, SCHEMA, tmp_path / "day.arrow")

    assert as_table(rows).equals(narrow.cast(SCHEMA))
    assert row_count(rows) == 10 and column_of(rows, "id").to_pylist() == list(range(10))
    assert extremes(rows, "id").to_pylist() == [0, 3, 4, 7, 8, 9]
    with ipc.open_file(tmp_path / "day.arrow") as stored:
        sizes = [stored.get_batch(i).num_rows for i in range(stored.num_record_batches)]
    assert sizes == [4, 4, 2]


def test_the_file_is_compressed(tmp_path: Path) -> None:
    repeated = pa.table({"id": pa.array([1] * 100_000, pa.int64()), "name": ["x" * 20] * 100_000})
    reader = pa.RecordBatchReader.from_batches(SCHEMA, repeated.to_batches())

    spool(reader, SCHEMA, tmp_path / "day.arrow")

    assert (tmp_path / "day.arrow").stat().st_size < repeated.nbytes / 4  # uncompressed: ~nbytes
