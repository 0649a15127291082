"""A column added to a fact's declaration flows into silver: older rows read it as null."""

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.compute as pc

from lakehouse.bronze.ingest import ingest_partition
from lakehouse.datagen import generate
from lakehouse.lake import DeltaStore
from lakehouse.settings import DEV_PII_KEY
from lakehouse.silver.refine import history_key, refine_partition
from lakehouse.sources import ColumnSpec, load_sources

ORDERS = next(s for s in load_sources() if s.name == "orders")
DAY1, DAY2 = date(2026, 1, 5), date(2026, 1, 6)


def test_a_derived_column_added_later_is_null_for_older_days(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate(str(landing), DAY1, 2, 30, seed=3)
    store = DeltaStore(str(tmp_path / "lake"))
    for day in (DAY1, DAY2):
        ingest_partition(store, str(landing), ORDERS, day, datetime.now(UTC))
    assert refine_partition(store, ORDERS, DAY1, DEV_PII_KEY).published is not None

    large = ColumnSpec(name="large_order", type="boolean", expr="order_total > 100")
    changed = ORDERS.model_copy(update={"columns": [*ORDERS.columns, large]})
    assert refine_partition(store, changed, DAY2, DEV_PII_KEY).published is not None

    for key in (["silver", "orders"], history_key(ORDERS)):
        table = store.read(key)
        assert "large_order" in table.column_names, key
        by_day = {
            day: table.filter(pc.equal(table["_landing_date"], day))["large_order"]
            for day in (DAY1, DAY2)
        }
        assert by_day[DAY1].null_count == len(by_day[DAY1]) > 0, key
        assert by_day[DAY2].null_count == 0 and len(by_day[DAY2]) > 0, key
