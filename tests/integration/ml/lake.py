"""A tiny lake for the ML tests: generated orders as ``silver/orders`` and each day's snapshot
in ``gold/customer_churn_feature_snapshots``, as the dbt mart computes it (RFM known that day).

The orders come from the generator itself (its worlds and random streams), in memory: no
landing files, bronze or dbt, so a test lands weeks of days in a second or two.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from lakehouse.datagen.behaviour import BehaviourShift, ordering_world
from lakehouse.datagen.dimensions import customers_for_day, products_for_day
from lakehouse.datagen.facts import orders_for_day
from lakehouse.datagen.state import World
from lakehouse.lake import DeltaStore
from lakehouse.ml.config import SNAPSHOT
from lakehouse.ml.features import FEATURES_KEY
from lakehouse.ml.registry import Registry

_RFM = """
select
    customer_id,
    cast($day as date) as snapshot_date,
    max(order_date) as last_order_date,
    date_diff('day', max(order_date), cast($day as date)) as recency_days,
    count(*) as frequency,
    cast(sum(order_total) as decimal(18, 2)) as monetary,
    max(currency) as currency
from orders
where status != 'cancelled' and order_date <= cast($day as date)
group by customer_id
order by customer_id
"""


def _rng(seed: int, day: date, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, day.toordinal(), stream]))


def generated_orders(
    start: date, days: int, rows_per_day: int, seed: int, shift: BehaviourShift | None = None
) -> list[tuple[date, pa.Table]]:
    """Each day's orders (customer_id, order_date, status, order_total, currency)."""
    world = World()
    catalogue = np.random.default_rng(np.random.SeedSequence([seed, 98]))
    out = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        products_for_day(world, _rng(seed, day, 0), day, catalogue)
        customers_for_day(world, _rng(seed, day, 1), day, rows_per_day)
        orders = orders_for_day(
            ordering_world(world, shift, day), _rng(seed, day, 2), day, rows_per_day
        ).orders
        n = orders.num_rows
        out.append(
            (
                day,
                pa.table(
                    {
                        "customer_id": orders.column("customer_id"),
                        "order_date": pa.array([day] * n, pa.date32()),
                        "status": orders.column("status"),
                        "order_total": orders.column("order_total").cast(pa.float64()),
                        "currency": orders.column("currency"),
                    }
                ),
            )
        )
    return out


def land(store: DeltaStore, days: list[tuple[date, pa.Table]]) -> None:
    """Append each day to silver/orders and write the day's snapshot of the features mart."""
    con = duckdb.connect()
    for day, orders in days:
        store.append(["silver", "orders"], orders)
        con.register("orders", store.read(["silver", "orders"]))
        mart = con.sql(_RFM, params={"day": day}).to_arrow_table()
        store.replace_partition(list(FEATURES_KEY), mart, SNAPSHOT, day)
    con.close()


def registry_for(root: Path, template: Path | None = None) -> Registry:
    """A registry under ``root/mlflow`` (copying an initialised empty database when given)."""
    db = root / "mlflow" / "mlflow.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    if template is not None and template.exists():
        db.write_bytes(template.read_bytes())
    return Registry(f"sqlite:///{db}", str(root / "mlflow" / "artifacts"))
