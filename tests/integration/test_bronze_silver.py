"""Landing → bronze → silver for two days, in process, on real Delta tables and DuckDB."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.lake import DeltaStore
from lakehouse.landing.files import list_landing_files, read_landing_file
from lakehouse.silver.refine import history_key
from lakehouse.sources import load_sources

from .conftest import DAYS, Lakehouse

SPECS = {s.name: s for s in load_sources()}
FACTS = [s for s in SPECS.values() if s.kind == "fact"]


def _landed_rows(lakehouse: Lakehouse, source: str, day) -> int:
    spec = SPECS[source]
    files = list_landing_files(lakehouse.settings.landing, spec.landing, day)
    return sum(
        read_landing_file(f, spec.landing, spec.landed_columns).table.num_rows for f in files
    )


def _distinct_keys(table: pa.Table, keys: list[str]) -> int:
    con = duckdb.connect()
    con.register("t", table)
    cols = ", ".join(keys)
    return con.sql(f"select count(*) from (select distinct {cols} from t)").fetchall()[0][0]


def _partition(store: DeltaStore, key: list[str], day) -> pa.Table:
    return store.read(key, filter_column="_landing_date", filter_value=day)


BRONZE_SILVER = [f"{layer}/{name}" for layer in ("bronze", "silver") for name in SPECS]


def test_two_days_close_the_row_accounting(lakehouse: Lakehouse) -> None:
    for day in DAYS:
        assert lakehouse.materialize(day, BRONZE_SILVER).success
    store = DeltaStore(lakehouse.settings.root)
    for spec in SPECS.values():
        for day in DAYS:
            bronze = _partition(store, ["bronze", spec.name], day)
            assert bronze.num_rows == _landed_rows(lakehouse, spec.name, day) > 0
        if spec.kind == "fact":
            for day in DAYS:
                bronze = _partition(store, ["bronze", spec.name], day)
                history = _partition(store, history_key(spec), day)
                assert history.num_rows == _distinct_keys(bronze, spec.keys)
            bronze_all = store.read(["bronze", spec.name])
            silver = store.read(["silver", spec.name])
            assert silver.num_rows == _distinct_keys(bronze_all, spec.keys)
            assert _distinct_keys(silver, spec.keys) == silver.num_rows
        else:
            bronze_all = store.read(["bronze", spec.name])
            silver = store.read(["silver", spec.name])
            assert silver.num_rows == _distinct_keys(bronze_all, spec.keys)
            assert _distinct_keys(silver, spec.keys) == silver.num_rows


def test_silver_customers_hold_no_clear_text_pii(lakehouse: Lakehouse) -> None:
    lakehouse.materialize(DAYS[0], BRONZE_SILVER)
    store = DeltaStore(lakehouse.settings.root)
    bronze = store.read(["bronze", "customers"])
    silver = store.read(["silver", "customers"])
    for column in ("name", "email", "phone"):
        clear = set(bronze.column(column).to_pylist())
        masked = silver.column(column).drop_null().to_pylist()
        assert masked and all(v.startswith("pii_") for v in masked)
        assert not clear & set(masked)


def test_rematerialising_a_partition_is_idempotent(lakehouse: Lakehouse) -> None:
    for day in DAYS:
        lakehouse.materialize(day, BRONZE_SILVER)
    store = DeltaStore(lakehouse.settings.root)
    key = ["silver", "orders"]
    tables = (key, history_key(SPECS["orders"]))
    version = store.table(key).version()
    before = {
        t[1]: store.read(t).drop_columns(["_ingested_at"]).sort_by("order_id") for t in tables
    }
    lakehouse.materialize(DAYS[0], BRONZE_SILVER)
    assert store.table(key).version() > version
    for table in tables:
        after = store.read(table).drop_columns(["_ingested_at"]).sort_by("order_id")
        assert after.equals(before[table[1]])
    bronze = _partition(store, ["bronze", "orders"], DAYS[0])
    assert bronze.num_rows == _landed_rows(lakehouse, "orders", DAYS[0])


def test_materialisations_carry_table_metadata(lakehouse: Lakehouse) -> None:
    result = lakehouse.materialize(DAYS[0], ["bronze/orders", "silver/orders"])
    events = result.get_asset_materialization_events()
    by_key = {e.asset_key.to_user_string(): e.materialization.metadata for e in events}
    for key in ("bronze/orders", "silver/orders"):
        metadata = by_key[key]
        assert metadata["dagster/row_count"].value > 0
        assert metadata["delta_version"].value >= 0
        assert metadata["dagster/uri"].value.endswith(key)
        assert metadata["bytes_added"].value > 0
        assert [c.name for c in metadata["dagster/column_schema"].schema.columns]
    silver = by_key["silver/orders"]
    removed = silver["bronze_rows"].value - silver["dagster/row_count"].value
    assert silver["duplicates_removed"].value == removed


def test_late_rows_keep_their_business_date(tmp_path) -> None:
    from .conftest import make_lakehouse

    lakehouse = make_lakehouse(tmp_path, faults=("late_rows",))
    lakehouse.materialize(DAYS[1], BRONZE_SILVER)
    silver = _partition(DeltaStore(lakehouse.settings.root), ["silver", "orders"], DAYS[1])
    late = pc.sum(pc.less(silver.column("order_date"), pa.scalar(DAYS[1]))).as_py()
    assert late > 0
