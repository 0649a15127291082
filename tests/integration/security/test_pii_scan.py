"""Planted PII never leaves bronze's data files, through every fault, to gold.

A canary person (name, email, phone) is planted in every fault the generator injects into
``customers`` (see ``canaries``); ``lakehouse materialize`` runs the three days headless
twice at once, on a SQLite instance and on a real PostgreSQL one. Then everything the runs
left is scanned for any planted value, in any letter case: every file under the lakehouse
root but bronze's parquet data files (Delta logs and checkpoints included; parquet decoded,
footer statistics too), the quarantine tables, the Dagster storage (SQLite databases dumped
row by row, PostgreSQL's tables, compute logs) and the command's stdout and stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2.sql
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from deltalake import DeltaTable

from .canaries import DAY_A, DAY_B, DAY_C, Canary, plant_landing
from .conftest import Postgres
from .pii_scan import Hit, find, scan_parquet, scan_tree

PROJECT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
LAYERS = ("bronze", "silver")
SOURCES = ("customers", "orders", "order_items", "products")  # what the daily marts read
MARTS = ("gold/orders_daily", "gold/revenue_by_product_category_daily")
SELECT = ",".join([*(f"{layer}/{s}" for layer in LAYERS for s in SOURCES), *MARTS])
BRONZE = ("bronze", "customers")
pytestmark = pytest.mark.e2e  # a PostgreSQL server and two headless runs, as subprocesses


@dataclass(frozen=True)
class Run:
    """One headless materialisation and what it left behind."""

    backend: str
    root: Path
    home: Path
    stdout: str
    stderr: str
    code: int

    def bronze_data_files(self) -> list[Path]:
        """Bronze's parquet data files: raw PII lives there by design."""
        bronze = self.root.joinpath("bronze")
        return [p for p in bronze.rglob("*.parquet") if "_delta_log" not in p.parts]


@dataclass(frozen=True)
class Scenario:
    canaries: list[Canary]
    runs: dict[str, Run]
    postgres: Postgres

    @property
    def needles(self) -> list[str]:
        return [n for c in self.canaries for n in c.needles]


def _instance(backend: str, home: Path, postgres: Postgres) -> dict[str, str]:
    """A DAGSTER_HOME for ``backend`` (the dev SQLite or the prod PostgreSQL instance)."""
    home.mkdir(parents=True)
    if backend == "sqlite":
        config = (PROJECT / "infra/dagster/dagster.dev.yaml").read_text()
        (home / "dagster.yaml").write_text(config)
        return {}
    config = yaml.safe_load((PROJECT / "infra/dagster/dagster.prod.yaml").read_text())
    config.pop("run_launcher")  # ECS: runs here are in-process anyway
    (home / "dagster.yaml").write_text(yaml.safe_dump(config))
    return postgres.dagster_env


def _start(backend: str, tmp: Path, postgres: Postgres) -> tuple[subprocess.Popen[bytes], Path]:
    """``lakehouse materialize`` of days A..C on ``backend``, its output to files in its folder."""
    folder = tmp / backend
    env = {
        **os.environ,
        **_instance(backend, folder / "dagster", postgres),
        "DAGSTER_HOME": str(folder / "dagster"),
        "LAKEHOUSE_ENV": "dev",
        "LAKEHOUSE_ROOT": str(folder / "lake"),
        "LAKEHOUSE_LANDING": str(tmp / "landing"),
        "LAKEHOUSE_START_DATE": DAY_A.isoformat(),
    }
    days = ["--start", DAY_A.isoformat(), "--end", DAY_C.isoformat()]
    command = [str(BIN / "lakehouse"), "materialize", "--select", SELECT, *days]
    with (folder / "stdout").open("wb") as out, (folder / "stderr").open("wb") as err:
        return subprocess.Popen(command, cwd=PROJECT, env=env, stdout=out, stderr=err), folder


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, postgres: Postgres) -> Iterator[Scenario]:
    """Plant the canaries, then run days A..C to gold on both instances at once."""
    tmp = tmp_path_factory.mktemp("pii")
    canaries = plant_landing(tmp / "landing", tmp / "scratch")
    started = {backend: _start(backend, tmp, postgres) for backend in ("sqlite", "postgres")}
    runs = {}
    try:
        for backend, (process, folder) in started.items():
            code = process.wait(timeout=600)
            stdout, stderr = (
                (folder / n).read_text(errors="replace") for n in ("stdout", "stderr")
            )
            home = folder / "dagster"
            runs[backend] = Run(backend, folder / "lake", home, stdout, stderr, code)
    finally:
        for process, _ in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    yield Scenario(canaries, runs, postgres)


def _postgres_dump(postgres: Postgres) -> str:
    """Every row of every table of the instance's database (event_logs, runs, checks...)."""
    tables = postgres.query(
        "select table_name from information_schema.tables where table_schema = 'public'"
    )
    assert ("event_logs",) in tables
    con = psycopg2.connect(
        host=postgres.host,
        port=postgres.port,
        dbname=postgres.db,
        user=postgres.user,
        password=postgres.password,
    )
    try:
        with con.cursor() as cur:
            rows = []
            for (table,) in tables:
                cur.execute(
                    psycopg2.sql.SQL("select * from {}").format(psycopg2.sql.Identifier(table))
                )
                rows += [repr(row) for row in cur.fetchall()]
    finally:
        con.close()
    return "\n".join(rows)


def _quarantine(run: Run, table: str) -> pa.Table:
    return DeltaTable(str(run.root / "quarantine" / table)).to_pyarrow_dataset().to_table()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_every_fault_went_through_its_path(scenario: Scenario, backend: str) -> None:
    """The canaries were published, quarantined and rejected where the faults send them."""
    run = scenario.runs[backend]
    output = run.stdout + run.stderr
    assert run.code == 1, output  # days B and C are blocked on purpose
    assert f"{DAY_A}  ok  run" in run.stdout, output
    assert f"{DAY_B}  FAILED  run" in run.stdout and f"{DAY_C}  FAILED  run" in run.stdout
    assert DeltaTable(str(run.root / "gold" / "orders_daily")).version() >= 0
    rows = _quarantine(run, "customers").to_pylist()
    reasons = {(r["_landing_date"], reason) for r in rows for reason in r["reason"].split("; ")}
    assert (DAY_A, "duplicate") in reasons
    for reason in (
        "null: customer_id is required",
        "type: signup_date is not date",
        "null: email is required",
    ):
        assert (DAY_B, reason) in reasons
    files = {
        (r["_landing_date"], Path(r["_source_file"]).name)
        for r in _quarantine(run, "customers_files").to_pylist()
    }
    for name in (
        "schema_drift_additive",
        "schema_drift_breaking",
        "truncated_file",
        "corrupt_file",
        "malformed",
        "missing_column",
    ):
        assert (DAY_C, f"customers_20260103_{name}.csv") in files
    assert (run.root / "_staging" / "silver" / "customers").is_dir()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_no_planted_value_leaves_bronze_data(scenario: Scenario, backend: str) -> None:
    run, needles = scenario.runs[backend], scenario.needles
    lake_hits, lake_files = scan_tree(run.root, needles, skip=run.bronze_data_files())
    home_hits, home_files = scan_tree(run.home, needles)
    assert lake_files > 20 and home_files > 0
    hits = lake_hits + home_hits
    hits += find(needles, run.stdout, f"{backend} stdout")
    hits += find(needles, run.stderr, f"{backend} stderr")
    for table in ("customers", "customers_files"):
        hits += find(needles, repr(_quarantine(run, table).to_pylist()), f"quarantine/{table}")
    if backend == "postgres":
        dump = _postgres_dump(scenario.postgres)
        assert "pii_" in dump  # the check samples (masked) are in what was searched
        hits += find(needles, dump, "PostgreSQL instance tables")
    faults = {n: c.fault for c in scenario.canaries for n in c.needles}
    assert not hits, "planted PII leaked:\n" + "\n".join(f"{faults[h.needle]}: {h}" for h in hits)


def test_bronze_logs_no_statistics_of_pii_columns(scenario: Scenario) -> None:
    run = scenario.runs["sqlite"]
    log = run.root.joinpath(*BRONZE, "_delta_log")
    stats = [
        json.loads(json.loads(line)["add"]["stats"])
        for commit in sorted(log.glob("*.json"))
        for line in commit.read_text().splitlines()
        if '"add"' in line
    ]
    assert stats
    for entry in stats:
        assert not {"name", "email", "phone"} & (set(entry["minValues"]) | set(entry["maxValues"]))
        assert "customer_id" in entry["minValues"]


def test_the_scanner_finds_raw_pii_where_it_lives(scenario: Scenario, tmp_path: Path) -> None:
    """Positive control: bronze's data files hold the published and quarantined canaries."""
    run = scenario.runs["sqlite"]
    hits: list[Hit] = []
    for path in run.bronze_data_files():
        hits += scan_parquet(path, scenario.needles)
    found = {h.needle for h in hits if h.where.endswith(" values")}
    faults = {"duplicate_delivery", "late_rows", "null_keys", "bad_types", "blocked_candidate"}
    for canary in scenario.canaries:
        if canary.fault in faults:
            assert set(canary.needles) <= found, f"the scanner missed {canary} in bronze"
    assert not [h for h in hits if not h.where.endswith(" values")]  # no footer statistics
    # ... and it reads footer statistics: a parquet file written with them.
    canary = scenario.canaries[0]
    pq.write_table(pa.table({"email": [canary.email.upper()]}), tmp_path / "stats.parquet")
    parts = {
        h.where.rsplit(" ", 1)[1] for h in scan_parquet(tmp_path / "stats.parquet", [canary.token])
    }
    assert parts == {"values", "footer"}
