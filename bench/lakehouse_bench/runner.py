"""``run_bench``: generate the data, run every measurement, write the Markdown and JSON report."""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from lakehouse.gold.project import DBT_PROJECT_DIR, PARTITIONED_MARTS
from lakehouse.settings import project_dir
from lakehouse_bench import scenarios
from lakehouse_bench.report import machine_info, render_markdown
from lakehouse_bench.summary import summarise

HUGE_DAY_ROWS = 5_000_000


@dataclass(frozen=True)
class BenchConfig:
    """The scale of a benchmark run and where its report goes (default ``bench/out/<time>``)."""

    rows_per_day: int
    days: int
    repeat: int = 3
    out: Path | None = None
    seed: int = 42
    small_day_rows: int = 1000
    huge_day_rows: int | None = None
    """Orders of the one-day run at scale (``--huge-day``); None: not run."""
    quick: bool = False
    """Check the harness, not the platform: no CLI run, no dbt parse, no per-day backfill, no
    separate re-runs (the one-day runs stand in for them, and for the small day when it has
    the same scale); figures are not comparable."""

    @property
    def command(self) -> str:
        """The ``lakehouse-bench`` command line of this configuration."""
        out = f" --out {self.out}" if self.out else ""
        small = f" --small-day-rows {self.small_day_rows}" if self.small_day_rows != 1000 else ""
        huge = "" if self.huge_day_rows is None else " --huge-day"
        if self.huge_day_rows not in (None, HUGE_DAY_ROWS):
            huge += f" --huge-day-rows {self.huge_day_rows}"
        return (
            f"lakehouse-bench --rows-per-day {self.rows_per_day} --days {self.days} "
            f"--repeat {self.repeat}{small}{huge}{' --quick' if self.quick else ''}{out}"
        )

    def __post_init__(self) -> None:
        if self.rows_per_day < 1 or self.repeat < 1:
            raise ValueError("--rows-per-day and --repeat must be at least 1")
        if self.days < 2:
            raise ValueError(f"--days {self.days}: the incremental cost needs at least 2 days")


def _environment(work: Path, landing: Path, start: date) -> dict[str, str]:
    """The environment of every measured process: a scratch Dagster instance and dbt target."""
    home = work / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(project_dir() / "infra" / "dagster" / "dagster.dev.yaml", home / "dagster.yaml")
    target = work / "dbt_target"
    target.mkdir()
    # dagster-dbt copies the project's partial-parse file into each run's target, as in dev.
    partial = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    if partial.exists():
        shutil.copy(partial, target / partial.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAKEHOUSE_")}
    return env | {
        "LAKEHOUSE_ENV": "dev",
        "LAKEHOUSE_LANDING": str(landing),
        "LAKEHOUSE_START_DATE": start.isoformat(),
        "DAGSTER_HOME": str(home),
        "DBT_TARGET_PATH": str(target),
    }


def _read(uri: Path, day: date | None = None) -> Any:
    import pyarrow.compute as pc
    from deltalake import DeltaTable

    dataset = DeltaTable(str(uri)).to_pyarrow_dataset()
    where = None if day is None else pc.field("_landing_date") == day
    # use_threads=False: a threaded scan through deltalake's filesystem can abort the
    # interpreter at exit (see lakehouse.gold.project.touched_order_dates).
    return dataset.to_table(filter=where, use_threads=False)


def arrow_bytes(root: Path, day: date) -> dict[str, int]:
    """Arrow size of each source's bronze partition of ``day`` (the day as landed, as text)."""
    return {
        source.name: _read(source, day).nbytes for source in sorted((root / "bronze").iterdir())
    }


def same_marts(platform: Path, baseline: Path) -> dict[str, bool]:
    """Whether each daily mart holds the same rows in the platform's and the baseline's root."""
    equal = {}
    for mart in PARTITIONED_MARTS:
        ours, theirs = _read(platform / "gold" / mart), _read(baseline / "gold" / mart)
        keys = [
            (c, "ascending")
            for c in ours.column_names
            if c in ("order_date", "country", "category", "currency")
        ]
        theirs = theirs.select(ours.column_names)
        equal[mart] = ours.sort_by(keys).to_pylist() == theirs.sort_by(keys).to_pylist()
    return equal


def _rows_by_day(report: Any) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for f in report.files:
        day = rows.setdefault(f.day.isoformat(), {})
        day[f.source] = day.get(f.source, 0) + f.rows
    return rows


def _generate(landing: Path, day: date, rows: int, seed: int) -> None:
    from lakehouse.datagen import generate

    generate(str(landing), day, 1, rows, seed=seed)


def _single_day(
    bench: scenarios.Bench,
    work: Path,
    day: date,
    rows: int,
    config: BenchConfig,
    baseline: bool = True,
) -> dict[str, Any]:
    """``day`` generated alone at ``rows`` orders in ``work``: the platform, and the baseline
    unless ``baseline`` is False. The day is generated in a child process: the generator's
    memory (~16 GB at 5 M orders) is gone before the measured runs start."""
    landing = work / "landing"
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as child:
        child.submit(_generate, landing, day, rows, config.seed).result()
    env = _environment(work, landing, day)
    alone = scenarios.Bench(work, landing, env, bench.log, bench.abnormal_exits)
    repeat = 1 if rows > config.rows_per_day else config.repeat
    samples = scenarios.single_day(alone, day, repeat, baseline=baseline)
    return {"rows_per_day": rows, **samples}


def _progress(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def run_bench(config: BenchConfig) -> Path:
    """Run the whole benchmark at ``config``'s scale; returns the folder holding the report."""
    from lakehouse.datagen import generate

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = config.out or project_dir() / "bench" / "out" / stamp
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    first = datetime.now(UTC).date() - timedelta(days=config.days + 1)
    last = first + timedelta(days=config.days - 1)
    machine = machine_info()
    with tempfile.TemporaryDirectory(prefix="lakehouse-bench-") as tmp:
        work = Path(tmp)
        landing = work / "landing"
        _progress(f"generating {config.days} days x {config.rows_per_day} orders in {work}")
        report = generate(str(landing), first, config.days, config.rows_per_day, seed=config.seed)
        bench = scenarios.Bench(
            work, landing, _environment(work, landing, first), out / "bench.log", []
        )
        _progress("fixed costs")
        fixed = scenarios.fixed_costs(bench, config.repeat, parse=not config.quick)
        _progress(f"one day ({last}) on an empty lakehouse: platform, CLI, baseline")
        day = scenarios.one_day(bench, last, config.repeat, cli=not config.quick)
        fill: dict[str, Any] = {"platform": None}
        if not config.quick:
            _progress(f"backfill {first}..{last}, one run per day")
            fill["platform"] = scenarios.platform_backfill(bench, first, last, by_range=False)
        _progress(f"backfill {first}..{last}, by range")
        fill["platform_range"] = scenarios.platform_backfill(bench, first, last, by_range=True)
        fill["baseline"] = scenarios.baseline_backfill(bench, first, last)
        roots = day["roots"][0]
        filled = {"platform": fill["platform_range"]["root"], "baseline": fill["baseline"]["root"]}
        if config.quick:
            step = {f"{side}_{n}": day[side] for side in ("platform", "baseline") for n in "1n"}
        else:
            _progress(f"re-runs of {last} with tables holding 1 day and {config.days} days")
            step = scenarios.incremental(bench, roots, filled, last, config.repeat)
        if config.quick and config.small_day_rows == config.rows_per_day:
            small = {"rows_per_day": config.rows_per_day, **day}  # the same scale: reused
        else:
            _progress(f"one day of {config.small_day_rows} orders")
            small = _single_day(bench, work / "small", last, config.small_day_rows, config)
        huge = None
        if config.huge_day_rows:
            # The platform alone: the baseline holds whole tables in Arrow (~50 GB at 5 M).
            _progress(f"one day of {config.huge_day_rows} orders, the platform alone")
            huge = _single_day(
                bench, work / "huge", last, config.huge_day_rows, config, baseline=False
            )
        sizes = {"day": arrow_bytes(Path(roots["platform"]), last)}
        equal = {
            "one_day": same_marts(Path(roots["platform"]), Path(roots["baseline"])),
            "backfill": same_marts(Path(filled["platform"]), Path(filled["baseline"])),
        }
        raw = {
            "fixed": fixed,
            "one_day": day,
            "backfill": fill,
            "incremental": step,
            "small_day": small,
            "huge_day": huge,
            "arrow_bytes": sizes,
            "outputs_equal": equal,
            "abnormal_exits": bench.abnormal_exits,
            "rows_by_day": _rows_by_day(report),
            "quick": config.quick,
        }
    results = {
        "command": config.command,
        "started": stamp,
        "seconds": time.perf_counter() - started,
        "config": {**asdict(config), "out": str(out), "first_day": first, "last_day": last},
        "machine": machine | {"load_after": os.getloadavg()},
        "summary": summarise(raw, config.days, config.rows_per_day),
        "raw": raw,
    }
    (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
    (out / "results.md").write_text(render_markdown(results))
    _progress(f"done in {results['seconds']:.0f} s: {out / 'results.md'}")
    return out
