"""Silver facts hold one row per key across landing days: the latest version, in any run order.

Day 2 of the generated landing zone also re-delivers most of day 1's orders, delivered and
with a later ``updated_at``: each such order has a version on both landing days.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from lakehouse.bronze.ingest import ingest_partition
from lakehouse.datagen import generate
from lakehouse.definitions import build_definitions
from lakehouse.lake import DeltaStore
from lakehouse.lake.marks import carries
from lakehouse.quality.names import CheckName
from lakehouse.settings import load_settings
from lakehouse.silver import transform
from lakehouse.silver.facts import KEYS_CHECKED
from lakehouse.silver.refine import history_key, refine_partition
from lakehouse.sources import LANDING_DATE, load_sources

from ..conftest import DAYS, Lakehouse

SPECS = {s.name: s for s in load_sources()}
ORDERS = SPECS["orders"]
FACTS = [s for s in SPECS.values() if s.kind == "fact"]
LAYERS = ("bronze", "silver")
BRONZE_SILVER = [f"{layer}/{name}" for layer in LAYERS for name in SPECS]
ORDERS_AND_REFS = [
    "orders",
    *sorted({c.references.split(".")[0] for c in ORDERS.columns if c.references}),
]
ROWS = 40


@dataclass(frozen=True)
class Lake:
    lakehouse: Lakehouse
    store: DeltaStore

    def run(self, *days, selection: list[str] = BRONZE_SILVER) -> None:
        for day in days:
            assert self.lakehouse.materialize(day, selection).success

    def current(self, name: str = "orders") -> pa.Table:
        return _comparable(self.store.read(["silver", name]), SPECS[name].keys)


def _comparable(table: pa.Table, keys: list[str]) -> pa.Table:
    """The table without ingestion times and landing roots (they differ between runs)."""
    files = pc.replace_substring_regex(table["_source_file"], r"^.*/landing/", "")
    table = table.set_column(table.schema.get_field_index("_source_file"), "_source_file", files)
    return table.drop_columns(["_ingested_at"]).sort_by([(k, "ascending") for k in keys])


def _redeliver(landing: Path) -> None:
    """Add to day 2 a file re-delivering day 1's first orders as delivered, updated on day 2."""
    day1, day2 = (landing / "orders" / d.isoformat() for d in DAYS)
    lines = [json.loads(line) for f in sorted(day1.glob("*.jsonl")) for line in f.open()]
    again = [
        {**order, "status": "delivered", "updated_at": f"{DAYS[1].isoformat()}T12:00:00+00:00"}
        for order in lines[: int(ROWS * 0.75)]
    ]
    (day2 / "orders_redelivered.jsonl").write_text("".join(json.dumps(o) + "\n" for o in again))


def _redelivered_lake(tmp_path: Path) -> Lake:
    landing = tmp_path / "landing"
    generate(str(landing), DAYS[0], len(DAYS), ROWS, seed=7)
    _redeliver(landing)
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "LAKEHOUSE_LANDING": str(landing)}
    )
    defs = build_definitions(settings)
    lakehouse = Lakehouse(settings, defs, dg.DagsterInstance.ephemeral())
    return Lake(lakehouse, DeltaStore(settings.root))


@pytest.fixture(scope="module")
def forwards(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = _redelivered_lake(tmp_path_factory.mktemp("forwards"))
    lake.run(*DAYS)
    return lake


def test_an_order_delivered_on_two_days_is_one_row_with_the_newer_values(forwards: Lake) -> None:
    store = forwards.store
    day1, day2 = (
        store.read(history_key(ORDERS), filter_column=LANDING_DATE, filter_value=d) for d in DAYS
    )
    both = set(day1["order_id"].to_pylist()) & set(day2["order_id"].to_pylist())
    assert len(both) > ROWS / 2  # the premise: most orders were delivered on both days

    current = store.read(["silver", "orders"])
    ids = current["order_id"].to_pylist()
    assert len(ids) == len(set(ids)) == len(set(day1["order_id"].to_pylist()) | set(ids))
    newer = {r["order_id"]: r["updated_at"] for r in day2.to_pylist()}
    for row in current.filter(pc.is_in(current["order_id"], pa.array(sorted(both)))).to_pylist():
        assert row[LANDING_DATE] == DAYS[1]
        assert row["updated_at"] == newer[row["order_id"]]
    # Every fact is unique on its keys across the whole table; history keeps both days.
    for spec in FACTS:
        table = store.read(["silver", spec.name]).select(spec.keys)
        assert table.group_by(spec.keys).aggregate([]).num_rows == table.num_rows
    assert store.read(history_key(ORDERS)).num_rows == day1.num_rows + day2.num_rows


def _inodes(store: DeltaStore, key: list[str], day: object) -> set[int]:
    """The inodes of the files of one landing day of a table."""
    uris = store.table(key).file_uris(partition_filters=[(LANDING_DATE, "=", str(day))])
    return {Path(u.removeprefix("file://")).stat().st_ino for u in uris}


def test_a_day_no_other_day_touches_shares_its_files_with_the_history(forwards: Lake) -> None:
    """Its rows are the same in both tables: encoded once, linked into the current table. Day
    2's orders re-deliver day 1's, so their current rows are decided and written apart."""
    store = forwards.store
    for spec, day in ((s, d) for s in FACTS for d in DAYS if s != ORDERS):
        current = _inodes(store, ["silver", spec.name], day)
        assert current and current == _inodes(store, history_key(spec), day), (spec.name, day)
    redelivered = _inodes(store, ["silver", "orders"], DAYS[1])
    assert redelivered and not redelivered & _inodes(store, history_key(ORDERS), DAYS[1])


def test_days_run_backwards_give_the_same_tables_as_forwards(
    forwards: Lake, tmp_path: Path
) -> None:
    backwards = _redelivered_lake(tmp_path)
    backwards.run(*reversed(DAYS))
    for spec in FACTS:
        assert backwards.current(spec.name).equals(forwards.current(spec.name)), spec.name
        for lake in (backwards, forwards):
            assert lake.store.exists(history_key(spec))
        assert (
            _comparable(backwards.store.read(history_key(spec)), spec.keys)
            .sort_by([(LANDING_DATE, "ascending")])
            .equals(
                _comparable(forwards.store.read(history_key(spec)), spec.keys).sort_by(
                    [(LANDING_DATE, "ascending")]
                )
            )
        )


def test_rerunning_any_day_is_idempotent(forwards: Lake) -> None:
    before = {s.name: forwards.current(s.name) for s in FACTS}
    version = forwards.store.table(["silver", "orders"]).version()
    # The old day again: its older versions must not beat day 2's; then the latest day again.
    forwards.run(DAYS[0], DAYS[1])
    assert forwards.store.table(["silver", "orders"]).version() >= version + 2
    for spec in FACTS:
        assert forwards.current(spec.name).equals(before[spec.name]), spec.name


def test_table_unique_keys_blocks_duplicates_forced_into_the_table(tmp_path: Path) -> None:
    lake = _redelivered_lake(tmp_path)
    # Orders and the customers they reference: what refining orders reads.
    lake.run(DAYS[0], selection=[f"{layer}/{s}" for layer in LAYERS for s in ORDERS_AND_REFS])
    store, key = lake.store, ["silver", "orders"]
    # A copy, in another landing day, of an order day 2 does not re-deliver (a key day 2
    # touches would be re-decided, and its copy removed): a second row for its key.
    published = store.read(key).sort_by("order_id")
    forced = published.slice(published.num_rows - 1)
    earlier = DAYS[0].replace(day=DAYS[0].day - 1) if DAYS[0].day > 1 else DAYS[0].replace(year=1)
    forced = forced.set_column(
        forced.schema.get_field_index(LANDING_DATE), LANDING_DATE, pa.array([earlier])
    )
    store.replace_partition(key, forced, LANDING_DATE, earlier)
    version = store.table(key).version()
    history_version = store.table(history_key(ORDERS)).version()
    settings = lake.lakehouse.settings
    ingest_partition(store, settings.landing, ORDERS, DAYS[1], datetime.now(UTC))

    outcome = refine_partition(store, ORDERS, DAYS[1], "k")

    assert outcome.blocked
    failed = [o for o in outcome.outcomes if o.blocking and not o.passed]
    assert [o.name for o in failed] == [CheckName.TABLE_UNIQUE_KEYS]
    assert failed[0].failing_rows == 2
    assert failed[0].sample[0]["order_id"] == forced["order_id"][0].as_py()
    assert "rows kept" in failed[0].description  # the hand-made commit: the whole table
    assert store.table(key).version() == version
    assert store.table(history_key(ORDERS)).version() == history_version


def test_a_day_on_a_table_its_own_check_made_compares_only_its_keys_range(
    tmp_path: Path,
) -> None:
    lake = _redelivered_lake(tmp_path)
    lake.run(DAYS[0], selection=[f"{layer}/{s}" for layer in LAYERS for s in ORDERS_AND_REFS])
    store, key = lake.store, ["silver", "orders"]
    assert carries(store.table(key), KEYS_CHECKED, store.storage_options)
    ingest_partition(store, lake.lakehouse.settings.landing, ORDERS, DAYS[1], datetime.now(UTC))

    outcome = refine_partition(store, ORDERS, DAYS[1], "k")

    assert not outcome.blocked
    (unique,) = [o for o in outcome.outcomes if o.name == CheckName.TABLE_UNIQUE_KEYS]
    assert unique.passed
    assert "the rest was checked before" in unique.description
    assert carries(store.table(key), KEYS_CHECKED, store.storage_options)


def test_days_parked_on_disk_give_the_tables_of_days_held_in_memory(
    forwards: Lake, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every day's published rows spooled (``SPOOL_ROWS`` 0): a new day streamed as its own
    update, a re-delivering day and a re-run read back; the tables of the in-memory run."""
    monkeypatch.setattr(transform, "SPOOL_ROWS", 0)
    spooled = _redelivered_lake(tmp_path)
    spooled.run(*DAYS)
    spooled.run(DAYS[0])
    for spec in SPECS.values():
        assert spooled.current(spec.name).equals(forwards.current(spec.name)), spec.name
    for spec in FACTS:
        ours, theirs = (
            _comparable(lake.store.read(history_key(spec)), [*spec.keys, LANDING_DATE])
            for lake in (spooled, forwards)
        )
        assert ours.equals(theirs), spec.name


def test_a_fact_whose_history_write_fails_leaves_its_current_table_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history and the current table are written at once; the current one commits only
    after the history did, so a failed history write publishes nothing."""
    lake = _redelivered_lake(tmp_path)
    lake.run(DAYS[0], selection=[f"{layer}/{s}" for layer in LAYERS for s in ORDERS_AND_REFS])
    store, key = lake.store, ["silver", "orders"]
    ingest_partition(store, lake.lakehouse.settings.landing, ORDERS, DAYS[1], datetime.now(UTC))
    tables = {"current": key, "history": history_key(ORDERS)}
    versions = {name: store.table(k).version() for name, k in tables.items()}
    original = DeltaStore.replace_partitions

    def history_fails(self: DeltaStore, target: list[str], *args: Any, **kwargs: Any) -> Any:
        if target == history_key(ORDERS):
            raise OSError("the history's storage went away")
        return original(self, target, *args, **kwargs)

    monkeypatch.setattr(DeltaStore, "replace_partitions", history_fails)

    with pytest.raises(OSError, match="history's storage"):
        refine_partition(store, ORDERS, DAYS[1], "k")

    assert {name: store.table(k).version() for name, k in tables.items()} == versions
    on_disk = {str(f) for f in (tmp_path / "lake" / "silver" / "orders").rglob("*.parquet")}
    referenced = {u.removeprefix("file://") for u in store.table(key).file_uris()}
    assert on_disk == referenced  # the current table's files written meanwhile were removed
