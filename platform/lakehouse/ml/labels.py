"""Churn labels: a customer churned at a snapshot when they order nothing in the next N days.

A label is final once N days after its snapshot have been landed (``is_final``); before that
it is provisional (no order yet) and neither training nor the canary uses it.
"""

from __future__ import annotations

import pyarrow as pa

from lakehouse.lake import duck

LABEL_SCHEMA = pa.schema(
    [
        ("snapshot_date", pa.date32()),
        ("customer_id", pa.string()),
        ("churned", pa.bool_()),
        ("is_final", pa.bool_()),
        ("matures_on", pa.date32()),
    ]
)

_SQL = """
with snapshots as (
    select distinct snapshot_date, customer_id from snapshot_rows
),

orders as (
    select customer_id, cast(order_date as date) as order_date
    from order_rows
    where status != 'cancelled'
),

latest as (
    select max(order_date) as latest_date from orders
),

next_orders as (
    select s.snapshot_date, s.customer_id, count(o.order_date) as orders_after
    from snapshots as s
    left join orders as o
        on o.customer_id = s.customer_id
        and o.order_date > s.snapshot_date
        and o.order_date <= s.snapshot_date + cast($horizon as integer)
    group by s.snapshot_date, s.customer_id
)

select
    n.snapshot_date,
    n.customer_id,
    n.orders_after = 0 as churned,
    coalesce(n.snapshot_date + cast($horizon as integer) <= l.latest_date, false) as is_final,
    cast(n.snapshot_date + cast($horizon as integer) as date) as matures_on
from next_orders as n
cross join latest as l
order by n.snapshot_date, n.customer_id
"""


def churn_labels(snapshots: pa.Table, orders: pa.Table, horizon_days: int) -> pa.Table:
    """One label per (snapshot_date, customer_id) of ``snapshots``, from ``orders``
    (``customer_id``, ``order_date``, ``status``); cancelled orders do not count."""
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be at least 1, got {horizon_days}")
    con = duck.connect()
    try:
        con.register("snapshot_rows", snapshots.select(["snapshot_date", "customer_id"]))
        con.register("order_rows", orders.select(["customer_id", "order_date", "status"]))
        result: pa.Table = con.sql(_SQL, params={"horizon": horizon_days}).to_arrow_table()
    finally:
        con.close()
    return result.cast(LABEL_SCHEMA)
