"""Every column of every table of a materialised lakehouse filters in DuckDB SQL and in pyarrow.

The silver dimensions are upserts: before the store computed them itself, delta-rs's merge
left string_view parquet files that neither could filter (``Function 'equal' has no kernel
matching input types (string, string_view)``).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.lake import DeltaStore
from lakehouse.lake.catalog import LAYERS, connect, discover_tables

from ..conftest import DAYS, make_lakehouse


def _value(column: pa.ChunkedArray) -> object:
    valid = column.drop_null()
    return valid[0].as_py() if len(valid) else None


def test_every_column_of_every_table_filters_in_duckdb_and_pyarrow(tmp_path: Path) -> None:
    lakehouse = make_lakehouse(tmp_path)
    for day in DAYS:
        # Gold too when it builds; bronze, silver and quarantine must.
        lakehouse.defs.resolve_job_def("daily_lakehouse").execute_in_process(
            partition_key=day.isoformat(), instance=lakehouse.instance, raise_on_error=False
        )
    root = lakehouse.settings.root
    store = DeltaStore(root)
    tables = discover_tables(root)
    for layer in ("bronze", "silver", "quarantine"):
        assert any(name.startswith(f"{layer}.") for name in tables), layer
    assert {"silver.customers", "silver.products", "silver.orders"} <= set(tables)
    con, _ = connect(root, layers=LAYERS)
    checked = 0
    for name in tables:
        layer, table = name.split(".")
        dataset = store.dataset([layer, table])
        full = dataset.to_table()
        for field in dataset.schema:
            value = _value(full.column(field.name))
            if value is None:
                condition, expected = pc.field(field.name).is_null(), full.column(field.name)
                expected_rows = expected.null_count
                sql, params = f'select count(*) from {name} where "{field.name}" is null', []
            else:
                scalar = pa.scalar(value, field.type)
                condition = pc.field(field.name) == scalar
                expected_rows = pc.sum(pc.equal(full.column(field.name), scalar)).as_py()
                sql, params = f'select count(*) from {name} where "{field.name}" = ?', [value]
            assert dataset.to_table(filter=condition).num_rows == expected_rows, (name, field)
            assert con.execute(sql, params).fetchall()[0][0] == expected_rows, (name, field)
            checked += 1
    con.close()
    assert checked > 100
