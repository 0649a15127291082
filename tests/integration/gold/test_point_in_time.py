"""The daily marts join each dimension's version valid when the order was placed (type 2), so
they are the same whatever order the landing days are built in.

Two generated landing days; on day 2 one customer, who orders on both days, moves to a
country no other customer has, at the time of one of their day-2 orders, and the product
sold most on day 1 changes category at noon. Three lakehouses
build the same days: forwards (silver then gold, day by day), backwards (silver day 2 then
day 1, then gold day 2 then day 1) and all at once (one range of silver, one gold run). Each
gold run rebuilds the business dates its landing days touched, as the gold asset does.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from lakehouse.bronze.ingest import ingest_partition
from lakehouse.bronze.ranges import ingest_range
from lakehouse.datagen import generate
from lakehouse.gold.project import rebuild_window
from lakehouse.gold.run_context import RunContext
from lakehouse.gold.window import DateWindow
from lakehouse.lake import DeltaStore
from lakehouse.silver.history import history_key
from lakehouse.silver.ranges import refine_range
from lakehouse.silver.refine import refine_partition
from lakehouse.sources import load_sources

from .conftest import run_dbt

DAY1, DAY2 = date(2026, 1, 1), date(2026, 1, 2)
MARTS = ("orders_daily", "revenue_by_product_category_daily")
SOURCES = {
    s.name: s
    for s in load_sources()
    if s.name in ("customers", "products", "orders", "order_items")
}
"""The silver tables the daily marts read."""
MOVED_TO = "IS"
"""A country the generator never draws: only the moving customer has it, from the move on."""
PII_KEY = "test-pii-key"


@dataclass(frozen=True)
class Move:
    """The customer who moves on day 2, when, and their orders."""

    customer_id: str
    at: datetime
    orders: dict[str, tuple[datetime, str]]
    """Order id -> (created_at, currency)."""


def _jsonl(landing: Path, source: str, day: date) -> list[dict[str, str]]:
    files = sorted((landing / source / day.isoformat()).glob("*.jsonl"))
    return [json.loads(line) for f in files for line in f.read_text().splitlines()]


def _csv(landing: Path, source: str, day: date) -> list[dict[str, str]]:
    files = sorted((landing / source / day.isoformat()).glob("*.csv"))
    return [row for f in files for row in csv.DictReader(f.read_text().splitlines())]


def _deliver(landing: Path, source: str, row: dict[str, str]) -> None:
    """Land one more ``source`` file on day 2 holding ``row``."""
    target = landing / source / DAY2.isoformat() / f"{source}_changes.csv"
    with target.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)


def _move(landing: Path) -> Move:
    """Move the customer with the most day-2 orders who also ordered on day 1 and has no
    other change on day 2, at the time of their middle day-2 order."""
    orders = {d: _jsonl(landing, "orders", d) for d in (DAY1, DAY2)}
    changed = {c["customer_id"] for c in _csv(landing, "customers", DAY2)}
    counts = Counter(o["customer_id"] for o in orders[DAY2])
    mover = next(
        c
        for c, _ in counts.most_common()
        if c not in changed and any(o["customer_id"] == c for o in orders[DAY1])
    )
    placed = {
        o["order_id"]: (datetime.fromisoformat(o["created_at"]).astimezone(UTC), o["currency"])
        for d in (DAY1, DAY2)
        for o in orders[d]
        if o["customer_id"] == mover
    }
    day2 = sorted(t for t, _ in placed.values() if t.date() == DAY2)
    at = day2[len(day2) // 2]
    row = next(r for r in _csv(landing, "customers", DAY1) if r["customer_id"] == mover)
    _deliver(landing, "customers", {**row, "country": MOVED_TO, "updated_at": at.isoformat()})
    return Move(mover, at, placed)


def _recategorise(landing: Path) -> None:
    """Move the product most sold on day 1 (and not changed on day 2) to another category at
    noon on day 2."""
    changed = {p["product_id"] for p in _csv(landing, "products", DAY2)}
    sold = Counter(line["product_id"] for line in _jsonl(landing, "order_items", DAY1))
    product = next(p for p, _ in sold.most_common() if p not in changed)
    row = next(r for r in _csv(landing, "products", DAY1) if r["product_id"] == product)
    categories = SOURCES["products"].column("category").accepted_values or []
    category = next(c for c in categories if c != row["category"])
    noon = datetime(DAY2.year, DAY2.month, DAY2.day, 12, tzinfo=UTC).isoformat()
    _deliver(landing, "products", {**row, "category": category, "updated_at": noon})


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Move]:
    root = tmp_path_factory.mktemp("landing")
    generate(str(root), DAY1, 2, 60, seed=7)
    _recategorise(root)
    return root, _move(root)


@dataclass(frozen=True)
class Build:
    """One lakehouse built from the landing zone, with its own dbt work folder."""

    root: Path
    work: Path
    landing: Path

    @property
    def store(self) -> DeltaStore:
        return DeltaStore(str(self.root))

    def silver(self, day: date) -> None:
        """Bronze and silver of one landing day."""
        for spec in SOURCES.values():
            ingest_partition(self.store, str(self.landing), spec, day, datetime.now(UTC))
            assert not refine_partition(self.store, spec, day, PII_KEY).blocked, (spec.name, day)

    def silver_range(self, start: date, end: date) -> None:
        """Bronze and silver of landing days ``start..end`` in one pass per table (a range run)."""
        days = DateWindow(start, end).days()
        for spec in SOURCES.values():
            ingest_range(self.store, str(self.landing), spec, days, datetime.now(UTC))
            assert not refine_range(self.store, spec, days, PII_KEY).blocked, spec.name

    def gold(self, start: date, end: date) -> None:
        """The daily marts' run after landing days ``start..end``: it rebuilds the business
        dates those days touched, handed over in the run's context as the gold asset does."""
        window = rebuild_window(str(self.root), DateWindow(start, end))
        assert window is not None
        RunContext(str(self.root), window).write(self.work / "target")
        run = run_dbt(self.root, self.work, "run", "--select", *MARTS)
        assert run.returncode == 0, run.output


def _forwards(build: Build) -> None:
    build.silver(DAY2)
    build.gold(DAY2, DAY2)


def _backwards(build: Build) -> None:
    build.silver(DAY2)
    build.silver(DAY1)
    build.gold(DAY2, DAY2)
    build.gold(DAY1, DAY1)


def _at_once(build: Build) -> None:
    build.silver_range(DAY1, DAY2)
    build.gold(DAY1, DAY2)


BUILDS: dict[str, Callable[[Build], None]] = {
    "forwards": _forwards,  # after day 1's silver and gold, which every build starts from
    "backwards": _backwards,
    "at_once": _at_once,
}
"""What each build does, once day 1 of ``forwards`` is built (it parses the dbt project)."""


def _comparable(table: pa.Table) -> pa.Table:
    """Sorted by every column, without the ingestion clock (each build has its own)."""
    table = table.drop_columns([c for c in table.column_names if c == "_ingested_at"])
    return table.sort_by([(c, "ascending") for c in table.column_names])


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory, landing: tuple[Path, Move]) -> dict[str, Path]:
    files, _ = landing
    base = tmp_path_factory.mktemp("lakes")
    builds = {name: Build(base / name, base / f"dbt-{name}", files) for name in BUILDS}
    forwards = builds["forwards"]
    forwards.silver(DAY1)
    forwards.gold(DAY1, DAY1)
    # dbt parsed the project once: the other builds start from its manifest (partial parsing).
    for name in ("backwards", "at_once"):
        shutil.copytree(forwards.work / "target", builds[name].work / "target")
    # Independent lakehouses: built side by side (dbt's start-up is most of their time).
    with ThreadPoolExecutor(max_workers=len(BUILDS)) as pool:
        for future in [pool.submit(BUILDS[name], build) for name, build in builds.items()]:
            future.result()
    return {name: build.root for name, build in builds.items()}


def test_the_marts_are_the_same_in_any_build_order(lakes: dict[str, Path]) -> None:
    for layer, name in [
        *(("gold", m) for m in MARTS),
        *(history_key(s) for s in SOURCES.values() if s.type2),
    ]:
        built = {
            lake: _comparable(DeltaStore(str(root)).read([layer, name]))
            for lake, root in lakes.items()
        }
        assert built["forwards"].num_rows > 0, name
        for lake in ("backwards", "at_once"):
            assert built[lake].equals(built["forwards"]), (name, lake)


def test_an_order_counts_under_the_country_valid_when_it_was_placed(
    lakes: dict[str, Path], landing: tuple[Path, Move]
) -> None:
    _, move = landing
    after = Counter((t.date(), currency) for t, currency in move.orders.values() if t >= move.at)
    before = [t for t, _ in move.orders.values() if t < move.at]
    assert after and any(t.date() == DAY2 for t in before) and any(t.date() == DAY1 for t in before)

    daily = DeltaStore(str(lakes["forwards"])).read(["gold", "orders_daily"])
    moved = daily.filter(pc.equal(daily["country"], MOVED_TO)).to_pylist()

    # Only the orders placed from the move on (the one placed at that instant included).
    assert {(r["order_date"], r["currency"]): r["orders"] for r in moved} == dict(after)
