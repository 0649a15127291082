"""SIGKILL headless `lakehouse materialize` runs at seeded random points, then prove recovery.

After every kill: each Delta table under the root is readable; a clean rerun finishes by itself
(reporting the dead run); afterwards no run is STARTED, no slot is claimed, and every table has
exactly the rows (count and sorted keys) of a reference lakehouse built once without faults.
Results go to chaos/RESULTS.md, rewritten after every iteration.

    python chaos/run.py --iterations 50 --seed 20
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV_INSTANCE = REPO / "infra" / "dagster" / "dagster.dev.yaml"


@dataclass
class Lake:
    """A lakehouse root and its Dagster home over a shared landing zone."""

    root: Path
    home: Path
    landing: Path

    def env(self) -> dict[str, str]:
        home = self.home
        home.mkdir(parents=True, exist_ok=True)
        if not (home / "dagster.yaml").exists():
            shutil.copy(DEV_INSTANCE, home / "dagster.yaml")
        return {
            **os.environ,
            "LAKEHOUSE_ROOT": str(self.root),
            "LAKEHOUSE_LANDING": str(self.landing),
            "DAGSTER_HOME": str(home),
            "PYTHONWARNINGS": "ignore",
        }


def lakehouse(lake: Lake, *args: str) -> subprocess.Popen[str]:
    """Start ``lakehouse <args>`` against ``lake``."""
    command = [sys.executable, "-m", "lakehouse.cli", *args]
    return subprocess.Popen(
        command, env=lake.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Rows and a digest of the sorted key column of every Delta table; raises if unreadable."""
    from deltalake import DeltaTable

    tables = {}
    for log in sorted(root.glob("**/_delta_log")):
        table = DeltaTable(str(log.parent)).to_pyarrow_table()
        keys = [c for c in table.column_names if c.endswith("_id")][:1] or table.column_names[:1]
        values = sorted(str(v) for v in table.column(keys[0]).to_pylist()) if keys else []
        digest = hashlib.sha256("\n".join(values).encode()).hexdigest()[:12]
        tables[str(log.parent.relative_to(root))] = (table.num_rows, digest)
    return tables


def instance_state(home: Path) -> tuple[list[str], int, str]:
    """Runs still STARTED/STARTING, claimed slots, and the layer of the newest started step."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        statuses = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING]
        live = instance.get_run_records(filters=dg.RunsFilter(statuses=statuses))
        storage = instance.event_log_storage
        pools = [p.name for p in storage.get_pool_limits()]
        claimed = sum(len(i.claimed_slots) for i in storage.get_concurrency_infos(pools).values())
        layer = "startup"
        newest = instance.get_run_records(limit=1)
        if newest:
            records = instance.get_records_for_run(
                newest[0].dagster_run.run_id,
                of_type=dg.DagsterEventType.STEP_START,
                ascending=False,
                limit=1,
            ).records
            if records:
                step = records[0].event_log_entry.step_key or ""
                layer = step.split("__", 1)[0] if "__" in step else "gold"
            else:
                layer = "run start"
    return [r.dagster_run.run_id for r in live], claimed, layer


@dataclass
class Results:
    """What the suite observed, written to RESULTS.md."""

    command: str
    planned: int
    reference_seconds: float = 0.0
    kinds: Counter[str] = field(default_factory=Counter)
    rows: list[str] = field(default_factory=list)
    recovered: int = 0
    ran: int = 0
    rows_lost: int = 0

    def write(self, path: Path) -> None:
        kinds = ", ".join(f"{k}: {n}" for k, n in sorted(self.kinds.items())) or "none"
        path.write_text(
            "# Chaos results\n\n"
            f"Command: `{self.command}`\n\n"
            f"Iterations planned: {self.planned}; ran: {self.ran}; "
            f"recovered: {self.recovered}; rows lost: {self.rows_lost}.\n\n"
            f"Faults by kind (SIGKILL, by the layer of the step running when killed): {kinds}.\n\n"
            f"Reference run: {self.reference_seconds:.0f} s.\n\n"
            "| # | seed | kill after s | killed in | rerun s | dead runs reported | "
            "STARTED after | slots after | tables equal |\n"
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
            + "\n".join(self.rows)
            + "\n\n"
            "Not done: S3 freeze, disk full, PostgreSQL restart (only SIGKILL is injected).\n"
        )


def run_once(lake: Lake, args: list[str], timeout: float) -> tuple[int, str, float]:
    started = time.monotonic()
    process = lakehouse(lake, "materialize", *args)
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output, time.monotonic() - started


def kill_and_recover(
    lake: Lake, args: list[str], delay: float, reference: dict[str, tuple[int, str]], timeout: float
) -> dict[str, object]:
    """One fault: SIGKILL after ``delay`` s, check, clean rerun, compare with ``reference``."""
    process = lakehouse(lake, "materialize", *args)
    deadline = time.monotonic() + delay
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    killed = process.poll() is None
    if killed:
        process.send_signal(signal.SIGKILL)
    process.wait()
    kind = instance_state(lake.home)[2] if killed else "finished first"
    snapshot(lake.root)  # every table readable right after the kill
    code, output, seconds = run_once(lake, args, timeout)
    live, claimed, _ = instance_state(lake.home)
    after = snapshot(lake.root)
    lost = sum(max(0, rows - after.get(t, (0, ""))[0]) for t, (rows, _) in reference.items())
    return {
        "kind": kind,
        "code": code,
        "seconds": seconds,
        "dead": output.count(" is dead ("),
        "live": len(live),
        "claimed": claimed,
        "equal": after == reference,
        "lost": lost,
        "output": output,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20, help="iteration i uses seed + i")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--rows-per-day", type=int, default=50)
    parser.add_argument("--select", help="asset selection (default: every layer)")
    parser.add_argument("--work", help="working folder (default: a temporary one)")
    parser.add_argument("--results", default=str(REPO / "chaos" / "RESULTS.md"))
    parser.add_argument("--timeout", type=float, default=600, help="limit per rerun, seconds")
    options = parser.parse_args(argv)
    work = Path(options.work or tempfile.mkdtemp(prefix="lakehouse-chaos-"))
    landing = work / "landing"
    reference_lake = Lake(work / "reference" / "lake", work / "reference" / "dagster", landing)
    lake = Lake(work / "chaos" / "lake", work / "chaos" / "dagster", landing)
    generate = lakehouse(
        reference_lake,
        "generate",
        "--days",
        str(options.days),
        "--rows-per-day",
        str(options.rows_per_day),
        "--out",
        str(landing),
    )
    generate.communicate()
    args = ["--select", options.select] if options.select else []
    command = " ".join(["python chaos/run.py", *(argv or sys.argv[1:])])
    results = Results(command, options.iterations)
    code, output, results.reference_seconds = run_once(reference_lake, args, options.timeout)
    if code != 0:
        print(output, file=sys.stderr)
        return 2
    reference = snapshot(reference_lake.root)
    for i in range(options.iterations):
        seed = options.seed + i
        delay = random.Random(seed).uniform(1.0, results.reference_seconds)
        outcome = kill_and_recover(lake, args, delay, reference, options.timeout)
        results.ran += 1
        results.kinds[str(outcome["kind"])] += 1
        ok = outcome["code"] == 0 and outcome["live"] == 0 and outcome["claimed"] == 0
        ok = ok and bool(outcome["equal"])
        results.recovered += ok
        results.rows_lost += int(outcome["lost"])  # type: ignore[call-overload]
        results.rows.append(
            f"| {i + 1} | {seed} | {delay:.1f} | {outcome['kind']} | {outcome['seconds']:.0f} | "
            f"{outcome['dead']} | {outcome['live']} | {outcome['claimed']} | {outcome['equal']} |"
        )
        results.write(Path(options.results))
        print(results.rows[-1], flush=True)
        if not ok:
            print(outcome["output"], file=sys.stderr)
    return 0 if results.recovered == results.ran else 1


if __name__ == "__main__":
    sys.exit(main())
