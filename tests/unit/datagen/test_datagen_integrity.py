"""Clean data is internally consistent: keys resolve, totals add up, times fall on the day."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from lakehouse.datagen import GenerationReport

Rows = list[dict[str, Any]]


def _rows(report: GenerationReport, source: str) -> dict[date, Rows]:
    """All rows of ``source`` per landing day, read with the standard library."""
    by_day: dict[date, Rows] = defaultdict(list)
    for f in report.files:
        if f.source != source:
            continue
        path = Path(f.path)
        if f.format == "jsonl":
            lines = path.read_text().splitlines()
            by_day[f.day] += [json.loads(line, parse_float=Decimal) for line in lines]
        elif f.format == "csv":
            with path.open(newline="") as handle:
                by_day[f.day] += list(csv.DictReader(handle))
        else:
            by_day[f.day] += pq.read_table(path).to_pylist()
    return by_day


@pytest.fixture(scope="module")
def data(clean_landing: tuple[Path, GenerationReport]) -> dict[str, dict[date, Rows]]:
    _, report = clean_landing
    sources = ("customers", "products", "orders", "order_items", "payments", "web_events")
    return {source: _rows(report, source) for source in sources}


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def test_orders_reference_customers_delivered_so_far(data: dict[str, dict[date, Rows]]) -> None:
    known: set[str] = set()
    for day in sorted(data["orders"]):
        known |= {r["customer_id"] for r in data["customers"][day]}
        assert {o["customer_id"] for o in data["orders"][day]} <= known
        sessions = {e["customer_id"] for e in data["web_events"][day]} - {None}
        assert sessions <= known


def test_items_use_catalogue_products_at_the_days_price(data: dict[str, dict[date, Rows]]) -> None:
    price: dict[str, Decimal] = {}
    for day in sorted(data["orders"]):
        price |= {p["product_id"]: Decimal(p["price"]) for p in data["products"][day]}
        for item in data["order_items"][day]:
            assert item["unit_price"] == price[item["product_id"]]


def test_order_total_is_the_sum_of_its_items(data: dict[str, dict[date, Rows]]) -> None:
    for day, orders in data["orders"].items():
        sums: Counter[str] = Counter()
        lines: dict[str, list[int]] = defaultdict(list)
        for item in data["order_items"][day]:
            sums[item["order_id"]] += item["quantity"] * item["unit_price"]
            lines[item["order_id"]].append(item["line_number"])
        for order in orders:
            assert order["order_total"] == sums[order["order_id"]] > 0
            assert order["order_total"] == order["order_total"].quantize(Decimal("0.01"))
            n = len(lines[order["order_id"]])
            assert 1 <= n <= 5
            assert lines[order["order_id"]] == list(range(1, n + 1))


def test_order_ids_are_unique_across_days_and_name_their_day(
    data: dict[str, dict[date, Rows]],
) -> None:
    ids = [o["order_id"] for orders in data["orders"].values() for o in orders]
    assert len(ids) == len(set(ids)) == 120
    for day, orders in data["orders"].items():
        assert all(re.fullmatch(rf"O{day:%Y%m%d}\d{{7}}", o["order_id"]) for o in orders)


def test_order_times_fall_on_the_landing_day_in_utc(data: dict[str, dict[date, Rows]]) -> None:
    offsets = set()
    for day, orders in data["orders"].items():
        for order in orders:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", order["created_at"])
            assert _utc(order["created_at"]).date() == day
            assert _utc(order["updated_at"]) >= _utc(order["created_at"])
            offsets.add(order["created_at"][-6:])
    assert offsets <= {"+00:00", "+01:00", "-05:00", "+09:00"}
    assert len(offsets) > 1


def test_order_enums_and_currencies(data: dict[str, dict[date, Rows]]) -> None:
    orders = [o for rows in data["orders"].values() for o in rows]
    assert {o["status"] for o in orders} <= {
        "pending",
        "confirmed",
        "shipped",
        "delivered",
        "cancelled",
    }
    assert {o["currency"].upper() for o in orders} <= {"USD", "EUR", "GBP"}
    items = [i for rows in data["order_items"].values() for i in rows]
    assert {i["quantity"] for i in items} <= {1, 2, 3, 4}


def test_payments_cover_paying_orders_only(data: dict[str, dict[date, Rows]]) -> None:
    for day, orders in data["orders"].items():
        status = {o["order_id"]: o["status"] for o in orders}
        total = {o["order_id"]: o["order_total"] for o in orders}
        payments = data["payments"][day]
        succeeded = [p for p in payments if p["status"] != "failed"]
        assert sorted(p["order_id"] for p in succeeded) == sorted(
            i for i, s in status.items() if s not in ("pending", "cancelled")
        )
        for p in payments:
            assert re.fullmatch(rf"PAY{day:%Y%m%d}\d{{7}}", p["payment_id"])
            assert p["method"] in {"card", "paypal", "bank_transfer", "gift_card"}
            assert p["status"] in {"authorized", "captured", "refunded", "failed"}
            assert Decimal(str(p["amount"])) == total[p["order_id"]]
            assert p["paid_at"].date() == day


def test_customer_and_product_formats(data: dict[str, dict[date, Rows]]) -> None:
    for day, customers in data["customers"].items():
        for c in customers:
            assert re.fullmatch(r"C\d{8}\d{7}", c["customer_id"])
            assert date.fromisoformat(c["customer_id"][1:9]) <= day
            assert re.fullmatch(r"\+\d{9,15}", c["phone"])
            assert re.fullmatch(r"[A-Z]{2}", c["country"])
            assert "@" in c["email"]
            assert date.fromisoformat(c["signup_date"]) <= day
            assert c["updated_at"].endswith("+00:00")
            assert _utc(c["updated_at"]).date() == day
    first = min(data["customers"])
    assert len(data["customers"][first]) == 50
    assert len(data["products"][first]) == 200
    for products in data["products"].values():
        for p in products:
            assert re.fullmatch(r"P\d{5}", p["product_id"])
            assert re.fullmatch(r"\d+\.\d\d", p["price"])
            assert p["currency"] == "USD"


def test_web_events_shape(data: dict[str, dict[date, Rows]]) -> None:
    events = [e for rows in data["web_events"].values() for e in rows]
    assert 0.2 < sum(e["customer_id"] is None for e in events) / len(events) < 0.6
    for day, rows in data["web_events"].items():
        assert 6 * 40 < len(rows) < 11 * 40
        for e in rows:
            assert re.fullmatch(rf"E{day:%Y%m%d}\d{{9}}", e["event_id"])
            assert re.fullmatch(rf"S{day:%Y%m%d}\d{{8}}", e["session_id"])
            assert e["occurred_at"].endswith("Z")
            assert _utc(e["occurred_at"].replace("Z", "+00:00")).date() == day
            assert e["device"] in {"desktop", "mobile", "tablet"}
            assert e["url"].startswith("https://")
    types = Counter(e["event_type"] for e in events)
    assert set(types) <= {"page_view", "product_view", "add_to_cart", "checkout", "purchase"}
    assert types["page_view"] > types["product_view"] > types["add_to_cart"] > types["purchase"]
