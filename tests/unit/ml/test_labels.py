"""Churn labels: no order in the N days after the snapshot; final once N days have landed."""

from datetime import date

import pyarrow as pa

from lakehouse.ml.labels import churn_labels


def test_churned_without_an_order_in_the_horizon_and_final_once_matured() -> None:
    d = date.fromisoformat
    snapshots = pa.table(
        {
            "snapshot_date": [d("2026-01-01"), d("2026-01-01"), d("2026-01-04")],
            "customer_id": ["a", "b", "a"],
        }
    )
    orders = pa.table(
        {
            "customer_id": ["a", "b", "b", "a"],
            "order_date": [d("2026-01-02"), d("2026-01-01"), d("2026-01-03"), d("2026-01-05")],
            "status": ["delivered", "shipped", "cancelled", "pending"],
        }
    )
    rows = {
        (r["snapshot_date"].day, r["customer_id"]): (r["churned"], r["is_final"])
        for r in churn_labels(snapshots, orders, horizon_days=2).to_pylist()
    }
    # a ordered on the 2nd; b only ordered on the snapshot day and cancelled on the 3rd.
    assert rows[(1, "a")] == (False, True)
    assert rows[(1, "b")] == (True, True)
    # The 4th matures on the 6th, after the latest order (the 5th): provisional.
    assert rows[(4, "a")] == (False, False)
