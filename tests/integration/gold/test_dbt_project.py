"""The dbt project against a real two-day silver lakehouse: marts land in Delta, match an
independent computation, rebuild one day alone, are published only when their tests pass
(write-audit-publish), and read an unselected upstream mart from its Delta table.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, write_deltalake

from lakehouse.gold.project import rebuild_window
from lakehouse.gold.window import DateWindow

from .conftest import (
    DAY1,
    DAY2,
    MARTS,
    BuiltLakehouse,
    DbtRun,
    Row,
    item_row,
    lineage,
    order_row,
    run_dbt,
    silver_rows,
    write_silver,
)

CENT = Decimal("0.01")


def gold(root: Path, mart: str) -> DeltaTable:
    return DeltaTable(str(root / "gold" / mart))


def read(table: DeltaTable) -> list[Row]:
    # use_threads=False: pyarrow's threaded scan through deltalake's filesystem can abort
    # the interpreter at exit ("terminate called without an active exception").
    return table.to_pyarrow_dataset().to_table(use_threads=False).to_pylist()


def sort(rows: Iterable[Row], *keys: str) -> list[Row]:
    return sorted(rows, key=lambda r: tuple(str(r[k]) for k in keys))


def latest(rows: Iterable[Row], keys: tuple[str, ...], *order: str) -> list[Row]:
    """One row per key: the greatest by ``order`` (the dedup silver leaves to gold)."""
    best: dict[tuple[object, ...], Row] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key not in best or [row[o] for o in order] > [best[key][o] for o in order]:
            best[key] = row
    return list(best.values())


def orders_of(silver: dict[str, list[Row]]) -> list[Row]:
    return latest(silver["orders"], ("order_id",), "updated_at", "_landing_date", "_ingested_at")


def average(total: Decimal, count: int) -> Decimal | None:
    return (total / count).quantize(CENT, ROUND_HALF_UP) if count else None


def expected_orders_daily(silver: dict[str, list[Row]]) -> list[Row]:
    country = {c["customer_id"]: c["country"] for c in silver["customers"]}
    groups: dict[tuple[object, ...], list[Row]] = defaultdict(list)
    for order in orders_of(silver):
        key = (order["order_date"], country.get(order["customer_id"], "unknown"), order["currency"])
        groups[key].append(order)
    result = []
    for (day, land, currency), orders in groups.items():
        kept = [o for o in orders if o["status"] != "cancelled"]
        revenue = sum((o["order_total"] for o in kept), Decimal("0.00"))
        result.append(
            {
                "order_date": day,
                "country": land,
                "currency": currency,
                "orders": len(orders),
                "cancellations": len(orders) - len(kept),
                "revenue": revenue,
                "average_order_value": average(revenue, len(kept)),
            }
        )
    return sort(result, "order_date", "country", "currency")


def expected_revenue_by_category(silver: dict[str, list[Row]]) -> list[Row]:
    orders = {o["order_id"]: o for o in orders_of(silver) if o["status"] != "cancelled"}
    category = {p["product_id"]: p["category"] for p in silver["products"]}
    items = latest(silver["order_items"], ("order_id", "line_number"), "_landing_date")
    groups: dict[tuple[object, ...], list[Row]] = defaultdict(list)
    for item in items:
        if item["order_id"] in orders:
            day = orders[item["order_id"]]["order_date"]
            key = (day, category.get(item["product_id"], "unknown"), item["currency"])
            groups[key].append(item)
    return sort(
        [
            {
                "order_date": day,
                "category": cat,
                "currency": currency,
                "revenue": sum((i["quantity"] * i["unit_price"] for i in lines), Decimal("0.00")),
                "units": sum(i["quantity"] for i in lines),
                "orders": len({i["order_id"] for i in lines}),
            }
            for (day, cat, currency), lines in groups.items()
        ],
        "order_date",
        "category",
        "currency",
    )


def expected_lifetime_value(silver: dict[str, list[Row]]) -> list[Row]:
    groups: dict[tuple[object, ...], list[Row]] = defaultdict(list)
    for order in orders_of(silver):
        if order["status"] != "cancelled":
            groups[(order["customer_id"], order["currency"])].append(order)
    result = []
    for (customer, currency), orders in groups.items():
        revenue = sum((o["order_total"] for o in orders), Decimal("0.00"))
        result.append(
            {
                "customer_id": customer,
                "currency": currency,
                "first_order_date": min(o["order_date"] for o in orders),
                "last_order_date": max(o["order_date"] for o in orders),
                "orders": len(orders),
                "lifetime_revenue": revenue,
                "average_order_value": average(revenue, len(orders)),
            }
        )
    return sort(result, "customer_id", "currency")


def expected_churn(lifetime_value: list[Row]) -> list[Row]:
    as_of = max(r["last_order_date"] for r in lifetime_value)
    by_customer: dict[str, list[Row]] = defaultdict(list)
    for row in lifetime_value:
        by_customer[row["customer_id"]].append(row)
    result = []
    for customer, rows in by_customer.items():
        primary = sorted(
            rows, key=lambda r: (-r["last_order_date"].toordinal(), -r["lifetime_revenue"])
        )[0]
        last = max(r["last_order_date"] for r in rows)
        result.append(
            {
                "customer_id": customer,
                "as_of_date": as_of,
                "last_order_date": last,
                "recency_days": (as_of - last).days,
                "frequency": sum(r["orders"] for r in rows),
                "monetary": primary["lifetime_revenue"],
                "currency": primary["currency"],
            }
        )
    return sort(result, "customer_id")


def partition_files(table: DeltaTable, day: object) -> set[str]:
    actions = pa.table(table.get_add_actions(flatten=True))
    mine = actions.filter(pc.equal(actions["partition.order_date"], pa.scalar(day, pa.date32())))
    return set(mine["path"].to_pylist())


def test_dbt_parse_works_without_a_lakehouse_root(tmp_path: Path) -> None:
    run = run_dbt(None, tmp_path, "parse")
    assert run.returncode == 0, run.output
    nodes = json.loads((tmp_path / "target" / "manifest.json").read_text())["nodes"]
    marts = {n["name"]: n["config"] for n in nodes.values() if n["name"] in MARTS}
    assert {name: c["materialized"] for name, c in marts.items()} == dict.fromkeys(
        MARTS, "external"
    )
    assert marts["orders_daily"]["meta"]["delta"] == {"partition_by": "order_date"}


def test_build_writes_every_mart_as_a_delta_table(built: BuiltLakehouse) -> None:
    assert built.build.returncode == 0, built.build.output
    failed = {uid: s for uid, s in built.build.statuses.items() if s not in ("success", "pass")}
    assert not failed
    partitioned = {
        "orders_daily": ["order_date"],
        "revenue_by_product_category_daily": ["order_date"],
        "customer_churn_feature_snapshots": ["snapshot_date"],
    }
    for mart in MARTS:
        table = gold(built.root, mart)
        assert table.metadata().partition_columns == partitioned.get(mart, []), mart


def test_orders_daily_matches_silver(built: BuiltLakehouse) -> None:
    rows = sort(read(gold(built.root, "orders_daily")), "order_date", "country", "currency")
    assert rows == expected_orders_daily(silver_rows())
    # The cancelled re-delivery of O2 wins; the late O6 counts on its business date.
    day1_us = next(r for r in rows if r["order_date"] == DAY1 and r["country"] == "US")
    assert (day1_us["orders"], day1_us["cancellations"], day1_us["revenue"]) == (
        3,
        1,
        Decimal("45.00"),
    )


def test_revenue_by_product_category_daily_matches_silver(built: BuiltLakehouse) -> None:
    rows = read(gold(built.root, "revenue_by_product_category_daily"))
    assert sort(rows, "order_date", "category", "currency") == expected_revenue_by_category(
        silver_rows()
    )


def test_customer_marts_match_silver(built: BuiltLakehouse) -> None:
    lifetime_value = sort(
        read(gold(built.root, "customer_lifetime_value")), "customer_id", "currency"
    )
    assert lifetime_value == expected_lifetime_value(silver_rows())
    churn = sort(read(gold(built.root, "customer_churn_features")), "customer_id")
    assert churn == expected_churn(lifetime_value)


def test_feature_snapshots_know_only_what_had_landed_by_their_day(built: BuiltLakehouse) -> None:
    """Day 1's snapshot: O2 still confirmed (its cancellation lands on day 2), no late O6 yet
    (C3 unknown); day 2's is the churn mart. Recency counts to the snapshot day."""
    rows = read(gold(built.root, "customer_churn_feature_snapshots"))
    day1 = sort([r for r in rows if r["snapshot_date"] == DAY1], "customer_id")
    assert [
        (r["customer_id"], r["frequency"], r["monetary"], r["currency"], r["recency_days"])
        for r in day1
    ] == [("C1", 1, Decimal("30.00"), "USD", 0), ("C2", 1, Decimal("45.50"), "EUR", 0)]
    day2 = sort([r for r in rows if r["snapshot_date"] == DAY2], "customer_id")
    churn = sort(read(gold(built.root, "customer_churn_features")), "customer_id")
    as_of = [{("as_of_date" if k == "snapshot_date" else k): v for k, v in r.items()} for r in day2]
    assert as_of == churn


def test_rebuild_window_covers_late_rows(built: BuiltLakehouse) -> None:
    # Day 2 landed O6 (placed on day 1) and O2's cancellation (placed on day 1).
    assert rebuild_window(str(built.root), DateWindow(DAY2, DAY2)) == DateWindow(DAY1, DAY2)
    # Day 1 delivered every customer's and product's first version, which day 2's orders
    # count under too: had day 2 been built first, its mart days would be stale.
    assert rebuild_window(str(built.root), DateWindow(DAY1, DAY1)) == DateWindow(DAY1, DAY2)
    later = DAY2.replace(day=DAY2.day + 1)
    assert rebuild_window(str(built.root), DateWindow(later, later)) is None


def test_one_day_rebuild_leaves_the_other_day_untouched(
    built: BuiltLakehouse, tmp_path: Path, dbt_in: Callable[..., DbtRun]
) -> None:
    root = built.copy_to(tmp_path / "lake")
    silver = silver_rows()
    # New rows for both days; only day 1 is rebuilt, so only day 1 may show them.
    new_orders = [
        order_row("O7", "C1", "confirmed", "50.00", "USD", DAY1, DAY2),
        order_row("O8", "C2", "confirmed", "10.00", "EUR", DAY2, DAY2),
    ]
    new_items = [
        {**item_row("O7", 1, "P3", 5, "10.00", "USD"), **lineage(DAY2)},
        {**item_row("O8", 1, "P1", 1, "10.00", "EUR"), **lineage(DAY2)},
    ]
    extra = {"orders": new_orders, "order_items": new_items}
    write_silver(root, extra, mode="append")
    changed = {k: silver[k] + extra.get(k, []) for k in silver}
    before = {m: gold(root, m) for m in ("orders_daily", "revenue_by_product_category_daily")}
    day2_files = {m: partition_files(t, DAY2) for m, t in before.items()}

    run = dbt_in(
        root,
        "build",
        "--select",
        "orders_daily",
        "revenue_by_product_category_daily",
        variables={"min_date": DAY1.isoformat(), "max_date": DAY1.isoformat()},
    )

    assert run.returncode == 0, run.output
    expectations = {
        "orders_daily": (expected_orders_daily, ("order_date", "country", "currency")),
        "revenue_by_product_category_daily": (
            expected_revenue_by_category,
            ("order_date", "category", "currency"),
        ),
    }
    for mart, (expected, keys) in expectations.items():
        table = gold(root, mart)
        assert table.version() == before[mart].version() + 1, mart
        rows = sort(read(table), *keys)
        assert [r for r in rows if r["order_date"] == DAY1] == [
            r for r in expected(changed) if r["order_date"] == DAY1
        ], mart
        assert [r for r in rows if r["order_date"] == DAY2] == [
            r for r in expected(silver) if r["order_date"] == DAY2
        ], mart
        assert partition_files(table, DAY2) == day2_files[mart], mart
        operation = table.history(1)[0]
        assert operation["operation"] == "WRITE"
        assert "2026-01-05" in operation["operationParameters"]["predicate"]


def test_a_failing_mart_test_blocks_its_publication_and_the_marts_downstream(
    built: BuiltLakehouse, tmp_path: Path, dbt_in: Callable[..., DbtRun]
) -> None:
    """Write-audit-publish: a new customer whose only order has a negative total (silver's
    contract forbids it; planted here) makes customer_lifetime_value's non_negative tests fail.
    That mart keeps its published version and its candidate stays in staging for inspection;
    churn, downstream, is skipped; the daily marts, whose tests pass, are published."""
    root = built.copy_to(tmp_path / "lake")
    customer = {**silver_rows()["customers"][0], "customer_id": "C4"}
    write_silver(
        root,
        {
            "customers": [customer],
            "orders": [order_row("O9", "C4", "confirmed", "-5.00", "USD", DAY2, DAY2)],
        },
        mode="append",
    )
    versions = {m: gold(root, m).version() for m in MARTS}

    run = dbt_in(root, "build")

    assert run.returncode != 0
    failed = sorted(uid.split(".")[2] for uid, s in run.statuses.items() if s == "fail")
    assert failed == [
        "non_negative_customer_churn_feature_snapshots_monetary",
        "non_negative_customer_lifetime_value_average_order_value",
        "non_negative_customer_lifetime_value_lifetime_revenue",
    ]
    assert run.status("customer_lifetime_value") == "success"  # built and staged, not published
    assert run.status("customer_churn_features") == "skipped"
    for mart in (
        "customer_lifetime_value",
        "customer_churn_feature_snapshots",
        "customer_churn_features",
    ):
        assert gold(root, mart).version() == versions[mart], mart
        assert "C4" not in {r["customer_id"] for r in read(gold(root, mart))}, mart
    candidate = DeltaTable(str(root / "_staging" / "gold" / "customer_lifetime_value"))
    assert {r["customer_id"]: r["lifetime_revenue"] for r in read(candidate)}["C4"] == Decimal(
        "-5.00"
    )
    assert "not published" in run.output and "non_negative" in run.output
    for mart in ("orders_daily", "revenue_by_product_category_daily"):
        assert run.status(mart) == "success", mart
        assert gold(root, mart).version() == versions[mart] + 1, mart
        assert not (root / "_staging" / "gold" / mart).exists(), mart
    day2_us = next(
        r
        for r in read(gold(root, "orders_daily"))
        if r["order_date"] == DAY2 and r["country"] == "US"
    )
    assert (day2_us["orders"], day2_us["revenue"]) == (2, Decimal("7.00"))


def test_a_later_build_never_publishes_an_earlier_blocked_candidate(
    built: BuiltLakehouse, tmp_path: Path, dbt_in: Callable[..., DbtRun]
) -> None:
    """A candidate left by a blocked build is dropped when that mart is built again, and a
    build that selects other marts neither reads nor publishes it."""
    root = built.copy_to(tmp_path / "lake")
    stale = root / "_staging" / "gold" / "customer_lifetime_value"
    published = gold(root, "customer_lifetime_value")
    bad = [{**r, "lifetime_revenue": Decimal("-1.00")} for r in read(published)]
    schema = published.to_pyarrow_dataset().schema
    write_deltalake(str(stale), pa.Table.from_pylist(bad, schema=schema))
    versions = {m: gold(root, m).version() for m in MARTS}

    run = dbt_in(root, "build", "--select", "customer_churn_features")

    assert run.returncode == 0, run.output
    assert gold(root, "customer_lifetime_value").version() == versions["customer_lifetime_value"]
    assert stale.exists()
    churn = read(gold(root, "customer_churn_features"))
    assert all(r["monetary"] >= 0 for r in churn)

    run = dbt_in(root, "build", "--select", "customer_lifetime_value")

    assert run.returncode == 0, run.output
    assert not stale.exists()
    clv = gold(root, "customer_lifetime_value")
    assert clv.version() == versions["customer_lifetime_value"] + 1
    assert sort(read(clv), "customer_id", "currency") == expected_lifetime_value(silver_rows())


def test_selecting_one_mart_reads_its_upstream_mart_from_delta(
    built: BuiltLakehouse, tmp_path: Path, dbt_in: Callable[..., DbtRun]
) -> None:
    root = built.copy_to(tmp_path / "lake")
    upstream = gold(root, "customer_churn_feature_snapshots")
    changed = pa.Table.from_pylist(
        [
            {**r, "monetary": Decimal("1000.00")} if r["customer_id"] == "C1" else r
            for r in read(upstream)
        ],
        schema=upstream.to_pyarrow_dataset().schema,
    )
    write_deltalake(upstream, changed, mode="overwrite")
    versions = {m: gold(root, m).version() for m in MARTS}

    run = dbt_in(root, "build", "--select", "customer_churn_features")

    assert run.returncode == 0, run.output
    assert [uid for uid in run.statuses if uid.startswith("model.")] == [
        "model.lakehouse.customer_churn_features"
    ]
    churn = {r["customer_id"]: r for r in read(gold(root, "customer_churn_features"))}
    assert churn["C1"]["monetary"] == Decimal("1000.00")
    assert {m: gold(root, m).version() for m in MARTS} == {
        **versions,
        "customer_churn_features": versions["customer_churn_features"] + 1,
    }


def test_the_daily_marts_read_only_the_silver_tables_they_select(
    built: BuiltLakehouse, tmp_path: Path, dbt_in: Callable[..., DbtRun]
) -> None:
    """Sources are views loaded before the models run (lakehouse.gold.delta_writer): only
    those the selection reaches, so a silver table no selected mart reads may be missing."""
    root = built.copy_to(tmp_path / "lake")
    daily = ["orders_daily", "revenue_by_product_category_daily"]
    before = {m: sort(read(gold(root, m)), *read(gold(root, m))[0]) for m in daily}
    for unread in ("web_events", "payments"):
        shutil.rmtree(root / "silver" / unread)

    run = dbt_in(root, "build", "--select", *daily)

    assert run.returncode == 0, run.output
    assert {m: sort(read(gold(root, m)), *read(gold(root, m))[0]) for m in daily} == before
    assert {m: gold(root, m).version() for m in daily} == {
        m: DeltaTable(str(built.root / "gold" / m)).version() + 1 for m in daily
    }


def test_a_mart_built_on_an_unselected_mart_reads_no_silver_table(
    built: BuiltLakehouse, tmp_path: Path, dbt_in: Callable[..., DbtRun]
) -> None:
    """The upstream mart is read from its Delta table, so the sources it was built from are
    not loaded: the build runs with no silver table at all."""
    root = built.copy_to(tmp_path / "lake")
    shutil.rmtree(root / "silver")

    run = dbt_in(root, "build", "--select", "customer_churn_features")

    assert run.returncode == 0, run.output
    assert gold(root, "customer_churn_features").version() == (
        DeltaTable(str(built.root / "gold" / "customer_churn_features")).version() + 1
    )
