"""A tiny silver lakehouse in tmp_path and a way to run the dbt project against it.

Two landing days of the web shop: three customers in two countries, three products in two
categories, six orders (one cancelled, one re-delivered the next day as cancelled, one that
lands a day late), their lines, payments and web events, written as real Delta tables with
the silver schemas of the source declarations.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from lakehouse.gold.project import DBT_PROJECT_DIR
from lakehouse.silver.history import with_validity
from lakehouse.silver.transform import silver_schema
from lakehouse.sources import load_sources

DAY1, DAY2 = date(2026, 1, 5), date(2026, 1, 6)
SPECS = {s.name: s for s in load_sources()}
DBT = Path(sys.executable).parent / "dbt"
MARTS = (
    "orders_daily",
    "revenue_by_product_category_daily",
    "customer_lifetime_value",
    "customer_churn_feature_snapshots",
    "customer_churn_features",
)
Row = dict[str, Any]


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def lineage(landing: date) -> Row:
    return {
        "_source_file": f"landing/{landing}/part-0",
        "_ingested_at": at(landing, 23),
        "_landing_date": landing,
    }


def order_row(
    order_id: str, customer: str, status: str, total: str, currency: str, day: date, landing: date
) -> Row:
    created = at(day, 10)
    return {
        "order_id": order_id,
        "customer_id": customer,
        "status": status,
        "order_total": Decimal(total),
        "currency": currency,
        "created_at": created,
        "updated_at": at(landing, 12),
        "order_date": day,
        **lineage(landing),
    }


def item_row(order_id: str, line: int, product: str, qty: int, price: str, currency: str) -> Row:
    return {
        "order_id": order_id,
        "line_number": line,
        "product_id": product,
        "quantity": qty,
        "unit_price": Decimal(price),
        "currency": currency,
        "line_total": qty * Decimal(price),
    }


def silver_rows() -> dict[str, list[Row]]:
    """The rows of every silver table (facts carry their landing day in ``_landing_date``)."""
    customers = [
        {
            "customer_id": cid,
            "name": f"pii_name_{cid}",
            "email": f"pii_email_{cid}",
            "phone": f"pii_phone_{cid}",
            "country": country,
            "signup_date": date(2025, 12, 1),
            "updated_at": at(DAY1, 1),
            **lineage(DAY1),
        }
        for cid, country in (("C1", "US"), ("C2", "DE"), ("C3", "US"))
    ]
    products = [
        {
            "product_id": pid,
            "name": f"Product {pid}",
            "category": category,
            "price": Decimal(price),
            "currency": "USD",
            "updated_at": at(DAY1, 1),
            **lineage(DAY1),
        }
        for pid, category, price in (
            ("P1", "electronics", "10.00"),
            ("P2", "books", "10.00"),
            ("P3", "books", "4.00"),
        )
    ]
    orders = [
        order_row("O1", "C1", "delivered", "30.00", "USD", DAY1, DAY1),
        order_row("O2", "C2", "confirmed", "45.50", "EUR", DAY1, DAY1),
        order_row("O3", "C1", "cancelled", "20.00", "USD", DAY1, DAY1),
        # O2 delivered again the next day: now cancelled (the later version wins).
        order_row("O2", "C2", "cancelled", "45.50", "EUR", DAY1, DAY2),
        order_row("O4", "C3", "confirmed", "12.00", "USD", DAY2, DAY2),
        order_row("O5", "C2", "pending", "99.99", "EUR", DAY2, DAY2),
        # Late: placed on day 1, landed on day 2.
        order_row("O6", "C3", "delivered", "15.00", "USD", DAY1, DAY2),
    ]
    items_by_landing = {
        DAY1: [
            item_row("O1", 1, "P1", 1, "10.00", "USD"),
            item_row("O1", 2, "P2", 2, "10.00", "USD"),
            item_row("O2", 1, "P2", 1, "45.50", "EUR"),
            item_row("O3", 1, "P1", 2, "10.00", "USD"),
        ],
        DAY2: [
            item_row("O2", 1, "P2", 1, "45.50", "EUR"),
            item_row("O4", 1, "P3", 3, "4.00", "USD"),
            item_row("O5", 1, "P1", 1, "99.99", "EUR"),
            item_row("O6", 1, "P2", 1, "15.00", "USD"),
        ],
    }
    order_items = [
        {**item, **lineage(landing)} for landing, rows in items_by_landing.items() for item in rows
    ]
    payments = [
        {
            "payment_id": f"PAY{n}",
            "order_id": oid,
            "method": "card",
            "amount": Decimal(amount),
            "currency": currency,
            "status": "captured",
            "paid_at": at(day, 11),
            "payment_date": day,
            **lineage(day),
        }
        for n, (oid, amount, currency, day) in enumerate(
            [("O1", "30.00", "USD", DAY1), ("O4", "12.00", "USD", DAY2)], start=1
        )
    ]
    web_events = [
        {
            "event_id": f"E{n}",
            "session_id": "S1",
            "customer_id": customer,
            "event_type": event_type,
            "url": "/",
            "device": "mobile",
            "occurred_at": at(day, 9),
            "event_date": day,
            **lineage(day),
        }
        for n, (customer, event_type, day) in enumerate(
            [("C1", "page_view", DAY1), (None, "product_view", DAY2)], start=1
        )
    ]
    return {
        "customers": customers,
        "products": products,
        "orders": orders,
        "order_items": order_items,
        "payments": payments,
        "web_events": web_events,
    }


def silver_table(source: str, rows: Sequence[Row]) -> pa.Table:
    """Rows as an Arrow table with the silver schema of ``source``."""
    return pa.Table.from_pylist(list(rows), schema=silver_schema(SPECS[source]))


def history_table(source: str, rows: Sequence[Row]) -> pa.Table:
    """A type-2 dimension's rows as its history: every row a version, with its validity."""
    return with_validity(silver_table(source, rows), SPECS[source])


def write_silver(root: Path, rows: Mapping[str, Sequence[Row]], mode: str = "overwrite") -> None:
    """Write silver tables under ``root``: facts partitioned by landing day, dimensions not;
    a fact's rows are also its history (every landing day's versions), a type-2 dimension's
    its history's versions (by landing day)."""
    for source, source_rows in rows.items():
        fact = SPECS[source].kind == "fact"
        for name in (source, f"{source}_history") if fact else (source,):
            write_deltalake(
                str(root / "silver" / name),
                silver_table(source, source_rows),
                mode=mode,  # type: ignore[arg-type]
                partition_by=["_landing_date"] if fact else None,
            )
        if SPECS[source].type2:
            write_deltalake(
                str(root / "silver" / f"{source}_history"),
                history_table(source, source_rows),
                mode=mode,  # type: ignore[arg-type]
                partition_by=["_landing_date"],
            )


@dataclass(frozen=True)
class DbtRun:
    """One dbt invocation: exit code, output, per-node statuses and wall time."""

    returncode: int
    output: str
    statuses: dict[str, str]
    seconds: float

    def status(self, name: str) -> str:
        """Status of the model ``name`` in this run."""
        found = [s for uid, s in self.statuses.items() if uid.split(".")[-1] == name]
        assert len(found) == 1, f"{name}: {found} in {sorted(self.statuses)}"
        return found[0]


def run_dbt(
    root: Path | str | None, work: Path, *args: str, variables: Mapping[str, str] | None = None
) -> DbtRun:
    """Run ``dbt <args>`` on the project against the lakehouse at ``root`` (None: unset).

    Artifacts and logs go under ``work`` (never shared between tests).
    """
    env = {k: v for k, v in os.environ.items() if k != "LAKEHOUSE_ROOT"}
    env |= {"DBT_PROFILES_DIR": str(DBT_PROJECT_DIR), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if root is not None:
        env["LAKEHOUSE_ROOT"] = str(root)
    command = [
        str(DBT),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    if variables:
        command += ["--vars", json.dumps(dict(variables))]
    started = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    seconds = time.monotonic() - started
    results = work / "target" / "run_results.json"
    statuses: dict[str, str] = {}
    if args[0] != "parse" and results.exists():
        for result in json.loads(results.read_text())["results"]:
            statuses[result["unique_id"]] = result["status"]
    return DbtRun(done.returncode, done.stdout + done.stderr, statuses, seconds)


@dataclass(frozen=True)
class BuiltLakehouse:
    """A silver lakehouse at ``root`` after a full ``dbt build``."""

    root: Path
    build: DbtRun

    def copy_to(self, destination: Path) -> Path:
        """A copy of the whole lakehouse (silver and gold) that a test may change."""
        shutil.copytree(self.root, destination)
        return destination


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltLakehouse]:
    """The two-day silver lakehouse, built once per module with ``dbt build``."""
    base = tmp_path_factory.mktemp("gold")
    root = base / "lake"
    write_silver(root, silver_rows())
    build = run_dbt(root, base / "dbt", "build")
    yield BuiltLakehouse(root, build)


@pytest.fixture
def dbt_in(tmp_path: Path) -> Callable[..., DbtRun]:
    """``run_dbt`` with a work folder of the test's own."""
    counter = iter(range(100))

    def run(root: Path, *args: str, variables: Mapping[str, str] | None = None) -> DbtRun:
        return run_dbt(root, tmp_path / f"dbt{next(counter)}", *args, variables=variables)

    return run
