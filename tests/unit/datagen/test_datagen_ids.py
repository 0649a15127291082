"""Ids: unique across days and across separate generate calls; dimensions keep their ids."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq

from lakehouse.datagen import GenerationReport, generate

START = date(2026, 11, 20)
ROWS = 20


def _rows(report: GenerationReport, source: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for f in report.files:
        if f.source != source:
            continue
        path = Path(f.path)
        if f.format == "jsonl":
            rows += [json.loads(line) for line in path.read_text().splitlines()]
        elif f.format == "csv":
            with path.open(newline="") as handle:
                rows += list(csv.DictReader(handle))
        else:
            rows += pq.read_table(path).to_pylist()
    return rows


def _two_calls(tmp_path: Path) -> tuple[GenerationReport, GenerationReport]:
    """Days 1-2 in one call, day 3 in another: the way a lakehouse is topped up."""
    first = generate(str(tmp_path / "a"), START, 2, ROWS, seed=7)
    second = generate(str(tmp_path / "b"), START + timedelta(days=2), 1, ROWS, seed=7)
    return first, second


def test_fact_ids_never_collide_across_generate_calls(tmp_path: Path) -> None:
    first, second = _two_calls(tmp_path)
    for source, key in (
        ("orders", "order_id"),
        ("payments", "payment_id"),
        ("web_events", "event_id"),
        ("web_events", "session_id"),
    ):
        ids = {r[key] for r in _rows(first, source)}
        assert ids, source
        assert not ids & {r[key] for r in _rows(second, source)}, source
    customers = Counter(r["customer_id"] for r in _rows(first, "customers"))
    assert not set(customers) & {r["customer_id"] for r in _rows(second, "customers")}


def test_foreign_keys_resolve_within_each_call(tmp_path: Path) -> None:
    for report in _two_calls(tmp_path):
        orders = {r["order_id"] for r in _rows(report, "orders")}
        customers = {r["customer_id"] for r in _rows(report, "customers")}
        products = {r["product_id"] for r in _rows(report, "products")}
        assert {r["customer_id"] for r in _rows(report, "orders")} <= customers
        assert {r["order_id"] for r in _rows(report, "order_items")} == orders
        assert {r["product_id"] for r in _rows(report, "order_items")} <= products
        assert {r["order_id"] for r in _rows(report, "payments")} <= orders
        assert {r["customer_id"] for r in _rows(report, "web_events")} - {None} <= customers


def test_a_customer_id_stays_the_same_customer_across_days(tmp_path: Path) -> None:
    report = generate(str(tmp_path), START, 4, 100, seed=7)
    names: dict[object, set[object]] = {}
    for row in _rows(report, "customers"):
        names.setdefault(row["customer_id"], set()).add(row["name"])
    assert any(len(_days_of(report, cid)) > 1 for cid in list(names)[:200])
    assert all(len(n) == 1 for n in names.values())


def _days_of(report: GenerationReport, customer_id: object) -> set[date]:
    return {
        f.day
        for f in report.files
        if f.source == "customers" and str(customer_id) in Path(f.path).read_text()
    }


def test_a_product_id_names_the_same_product_in_every_call_with_the_seed(tmp_path: Path) -> None:
    first, second = _two_calls(tmp_path)
    catalogue = {r["product_id"]: (r["name"], r["category"]) for r in _rows(first, "products")}
    again = {r["product_id"]: (r["name"], r["category"]) for r in _rows(second, "products")}
    assert len(again) == 200
    assert all(catalogue[p] == again[p] for p in again)
