"""The daily marts join each dimension's version valid when the order was placed (type 2), so
they are the same whatever order the landing days are built in.

Two generated landing days; on day 2 one customer, who orders on both days, moves to a
country no other customer has, at the time of one of their day-2 orders, and the product
sold most on day 1 changes category at noon. Day 2 also delivers versions late, after the
facts they apply to: a customer who ordered on day 1 moved in the middle of their day-1
orders, and another product sold on day 1 changed category at noon on day 1. Four lakehouses
build the same days, each day through bronze, silver and gold: forwards (day 1, then day 2),
backwards (day 2 fully through gold, then day 1), concurrently (both days at once, one thread
each, one writer per table and one gold run at a time as the pools allow) and all at once (one
range of silver, one gold run). Each gold run rebuilds the business dates its landing days
touched, as the gold asset does.
"""

from __future__ import annotations

import csv
import json
import shutil
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
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
LATE_MOVED_TO = "GL"
"""Another such country, for the customer whose move lands a day late."""
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


def _deliver(landing: Path, source: str, row: dict[str, str], file: str = "changes") -> None:
    """Land one more ``source`` file on day 2 holding ``row``."""
    target = landing / source / DAY2.isoformat() / f"{source}_{file}.csv"
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


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _late_move(landing: Path) -> Move:
    """Move a customer without change on day 2, at the time of their middle day-1 order after
    their day-1 version (the one with most such orders), delivered on day 2: after the orders
    it applies to."""
    rows = {r["customer_id"]: r for r in _csv(landing, "customers", DAY1)}
    changed = {c["customer_id"] for c in _csv(landing, "customers", DAY2)}
    counts = Counter(
        o["customer_id"]
        for o in _jsonl(landing, "orders", DAY1)
        if o["customer_id"] in rows.keys() - changed
        and _utc(o["created_at"]) > _utc(rows[o["customer_id"]]["updated_at"])
    )
    mover = counts.most_common(1)[0][0]
    placed = {
        o["order_id"]: (_utc(o["created_at"]), o["currency"])
        for d in (DAY1, DAY2)
        for o in _jsonl(landing, "orders", d)
        if o["customer_id"] == mover
    }
    since = _utc(rows[mover]["updated_at"])
    day1 = sorted(t for t, _ in placed.values() if t.date() == DAY1 and t > since)
    at = day1[len(day1) // 2]
    late = {**rows[mover], "country": LATE_MOVED_TO, "updated_at": at.isoformat()}
    _deliver(landing, "customers", late, "late")
    return Move(mover, at, placed)


def _late_recategorise(landing: Path) -> None:
    """Move the product sold most on day 1 whose day-1 version is older than noon (and that
    day 2 does not change yet) to another category at noon on day 1, delivered on day 2."""
    noon = datetime(DAY1.year, DAY1.month, DAY1.day, 12, tzinfo=UTC)
    rows = {r["product_id"]: r for r in _csv(landing, "products", DAY1)}
    changed = {p["product_id"] for p in _csv(landing, "products", DAY2)}
    sold = Counter(line["product_id"] for line in _jsonl(landing, "order_items", DAY1))
    product = next(
        p
        for p, _ in sold.most_common()
        if p in rows.keys() - changed and _utc(rows[p]["updated_at"]) < noon
    )
    categories = SOURCES["products"].column("category").accepted_values or []
    category = next(c for c in reversed(categories) if c != rows[product]["category"])
    late = {**rows[product], "category": category, "updated_at": noon.isoformat()}
    _deliver(landing, "products", late, "late")


@dataclass(frozen=True)
class Landing:
    """The generated landing zone and the customer moves delivered on day 2."""

    root: Path
    move: Move
    late_move: Move


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Landing:
    root = tmp_path_factory.mktemp("landing")
    generate(str(root), DAY1, 2, 60, seed=7)
    _recategorise(root)
    _late_recategorise(root)
    late_move = _late_move(root)
    return Landing(root, _move(root), late_move)


@dataclass(frozen=True)
class Build:
    """One lakehouse built from the landing zone, with its own dbt work folder."""

    root: Path
    work: Path
    landing: Path
    pools: dict[str, threading.Lock] = field(
        default_factory=lambda: {name: threading.Lock() for name in [*SOURCES, "gold"]}
    )
    """One lock per table's writers and one for gold, as the concurrency pools hold them."""

    @property
    def store(self) -> DeltaStore:
        return DeltaStore(str(self.root))

    def silver(self, day: date) -> None:
        """Bronze and silver of one landing day."""
        for spec in SOURCES.values():
            with self.pools[spec.name]:
                ingest_partition(self.store, str(self.landing), spec, day, datetime.now(UTC))
                refined = refine_partition(self.store, spec, day, PII_KEY)
            assert not refined.blocked, (spec.name, day)

    def silver_range(self, start: date, end: date) -> None:
        """Bronze and silver of landing days ``start..end`` in one pass per table (a range run)."""
        days = DateWindow(start, end).days()
        for spec in SOURCES.values():
            ingest_range(self.store, str(self.landing), spec, days, datetime.now(UTC))
            assert not refine_range(self.store, spec, days, PII_KEY).blocked, spec.name

    def gold(self, start: date, end: date) -> None:
        """The daily marts' run after landing days ``start..end``: it rebuilds the business
        dates those days touched, handed over in the run's context as the gold asset does."""
        with self.pools["gold"]:
            window = rebuild_window(str(self.root), DateWindow(start, end))
            assert window is not None
            RunContext(str(self.root), window).write(self.work / "target")
            run = run_dbt(self.root, self.work, "run", "--select", *MARTS)
        assert run.returncode == 0, run.output

    def day(self, day: date) -> None:
        """One landing day through bronze, silver and gold, as the daily job runs it."""
        self.silver(day)
        self.gold(day, day)


def _forwards(build: Build) -> None:
    build.day(DAY2)


def _backwards(build: Build) -> None:
    build.day(DAY2)
    build.day(DAY1)


def _concurrently(build: Build) -> None:
    start = threading.Barrier(2)

    def run(day: date) -> None:
        start.wait()
        build.day(day)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(run, day) for day in (DAY2, DAY1)]:
            future.result()


def _at_once(build: Build) -> None:
    build.silver_range(DAY1, DAY2)
    build.gold(DAY1, DAY2)


BUILDS: dict[str, Callable[[Build], None]] = {
    "forwards": _forwards,  # after day 1's silver and gold, which every build starts from
    "backwards": _backwards,
    "concurrently": _concurrently,
    "at_once": _at_once,
}
"""What each build does, once day 1 of ``forwards`` is built (it parses the dbt project)."""


def _comparable(table: pa.Table) -> pa.Table:
    """Sorted by every column, without the ingestion clock (each build has its own)."""
    table = table.drop_columns([c for c in table.column_names if c == "_ingested_at"])
    return table.sort_by([(c, "ascending") for c in table.column_names])


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory, landing: Landing) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("lakes")
    builds = {name: Build(base / name, base / f"dbt-{name}", landing.root) for name in BUILDS}
    forwards = builds["forwards"]
    forwards.day(DAY1)
    # dbt parsed the project once: the other builds start from its manifest (partial parsing).
    for name in ("backwards", "concurrently", "at_once"):
        shutil.copytree(forwards.work / "target", builds[name].work / "target")
    # Independent lakehouses: built side by side (dbt's start-up is most of their time).
    with ThreadPoolExecutor(max_workers=len(BUILDS)) as pool:
        for future in [pool.submit(BUILDS[name], build) for name, build in builds.items()]:
            future.result()
    return {name: build.root for name, build in builds.items()}


def test_the_marts_are_the_same_in_any_build_order(lakes: dict[str, Path]) -> None:
    differ = []
    for layer, name in [
        *(("gold", m) for m in MARTS),
        *(history_key(s) for s in SOURCES.values() if s.type2),
    ]:
        built = {
            lake: _comparable(DeltaStore(str(root)).read([layer, name]))
            for lake, root in lakes.items()
        }
        assert built["forwards"].num_rows > 0, name
        differ += [(name, lake) for lake in built if not built[lake].equals(built["forwards"])]
    assert differ == []


def test_an_order_counts_under_the_country_valid_when_it_was_placed(
    lakes: dict[str, Path], landing: Landing
) -> None:
    move = landing.move
    after = Counter((t.date(), currency) for t, currency in move.orders.values() if t >= move.at)
    before = [t for t, _ in move.orders.values() if t < move.at]
    assert after and any(t.date() == DAY2 for t in before) and any(t.date() == DAY1 for t in before)

    daily = DeltaStore(str(lakes["forwards"])).read(["gold", "orders_daily"])
    moved = daily.filter(pc.equal(daily["country"], MOVED_TO)).to_pylist()

    # Only the orders placed from the move on (the one placed at that instant included).
    assert {(r["order_date"], r["currency"]): r["orders"] for r in moved} == dict(after)


@pytest.mark.parametrize("lake", list(BUILDS))
def test_a_move_that_lands_late_rebuilds_the_days_it_applies_to(
    lakes: dict[str, Path], landing: Landing, lake: str
) -> None:
    move = landing.late_move
    after = Counter((t.date(), currency) for t, currency in move.orders.values() if t >= move.at)
    assert any(t < move.at for t, _ in move.orders.values())
    assert any(day == DAY1 for day, _ in after)

    daily = DeltaStore(str(lakes[lake])).read(["gold", "orders_daily"])
    moved = daily.filter(pc.equal(daily["country"], LATE_MOVED_TO)).to_pylist()

    # Day 1's orders from the move on count under the new country, though it landed on day 2.
    assert {(r["order_date"], r["currency"]): r["orders"] for r in moved} == dict(after)
