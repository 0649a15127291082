"""A local Delta table is scanned through Arrow's own filesystem, with the same rows."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as pads
from deltalake import DeltaTable, write_deltalake
from pyarrow import fs

from lakehouse.lake.reader import arrow_dataset

ROWS = pa.table({"p": ["a b", "x/y", "é%20=&?", None], "v": [1, 2, 3, 4]})


def _rows(dataset: pads.Dataset, **scan: object) -> list[dict[str, object]]:
    return dataset.to_table(**scan).sort_by("v").to_pylist()  # type: ignore[arg-type]


def test_a_local_table_reads_its_rows_through_arrows_filesystem(tmp_path: Path) -> None:
    uri = str(tmp_path / "a lake" / "t")  # a space in the folder: percent-encoded in the URI
    write_deltalake(uri, ROWS, partition_by=["p"])  # percent-encoded partition folders
    table = DeltaTable(uri)

    dataset = arrow_dataset(table)

    assert isinstance(dataset.filesystem, fs.SubTreeFileSystem)
    assert _rows(dataset) == _rows(table.to_pyarrow_dataset()) == ROWS.to_pylist()
    assert _rows(dataset, filter=pads.field("p") == "x/y") == [{"p": "x/y", "v": 2}]


def test_the_dataset_is_the_loaded_version(tmp_path: Path) -> None:
    uri = str(tmp_path / "t")
    write_deltalake(uri, ROWS.slice(0, 2))
    write_deltalake(uri, ROWS.slice(2), mode="overwrite")

    assert _rows(arrow_dataset(DeltaTable(uri, version=0))) == ROWS.slice(0, 2).to_pylist()
    assert _rows(arrow_dataset(DeltaTable(uri))) == ROWS.slice(2).to_pylist()
