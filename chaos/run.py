"""Break headless `lakehouse materialize` runs in seeded ways, inside a chosen layer, and prove
that they recover by themselves.

Fault kinds: ``sigkill`` (the run process, inside a bronze, silver or gold step), ``s3-freeze``
(the S3 server SIGSTOPped for seconds, then SIGCONT), ``s3-restart`` (the S3 server killed and
started again), ``disk-full`` (the lakehouse root's file system filled, then freed),
``pg-restart`` (the PostgreSQL of the Dagster instance restarted under a running daemon).

A reference lakehouse is built once by `lakehouse materialize`, without faults (reused from
``--work``). Each iteration picks, by its seed, a layer and a table of it, restores the chaos
root to the reference minus that table, starts a run of that table, waits until its step runs
(the run's STEP_START in the instance's event log), waits a seeded part of the step's duration
(measured once per table, in a clean run of that table alone), injects the fault, lets the run
end, then checks: every table readable by deltalake; a rerun succeeds; no run STARTED, no slot
claimed; every table holds exactly the reference's rows (count and sorted keys). On S3 each
iteration writes bronze and silver orders from scratch; PostgreSQL faults use the production
instance configuration (minus ECS) with a ``dagster-daemon`` running. Runs are forks of a warm
process (``chaos/zygote.py``: the same ``materialize_days`` as the command, without seconds of
start-up each). Results: chaos/RESULTS.md, rewritten after every iteration.

    python chaos/run.py --iterations 50 --each 3 --seed 20 --work /tmp/chaos
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chaos.iteration import KINDS, Outcome, Series
from chaos.lakes import Lake
from chaos.results import Results

REPO = Path(__file__).resolve().parents[1]


def lakehouse(lake: Lake, *args: str) -> subprocess.Popen[str]:
    """Start ``lakehouse <args>`` against ``lake`` (the real command line)."""
    command = [sys.executable, "-m", "lakehouse.cli", *args]
    return subprocess.Popen(
        command, env=lake.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def run_once(lake: Lake, args: list[str], timeout: float) -> tuple[int, str, float]:
    """``lakehouse materialize <args>`` to its end: exit code, output, seconds."""
    started = time.monotonic()
    process = lakehouse(lake, "materialize", *args)
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output, time.monotonic() - started


def build_reference(
    lake: Lake, days: int, rows: int, timeout: float, select: str | None = None
) -> float:
    """Generate the landing days and materialise them once (``select``: default every asset);
    the seconds it took. Reused while days, rows and selection are the same."""
    done = lake.home / "reference.done"
    key = f"{days} {rows} {select or 'all'}"
    if done.exists() and done.read_text().rsplit(" ", 1)[0] == key:
        return float(done.read_text().rsplit(" ", 1)[1])
    shutil.rmtree(lake.landing, ignore_errors=True)
    shutil.rmtree(lake.home, ignore_errors=True)
    shutil.rmtree(lake.root, ignore_errors=True)
    generate = lakehouse(
        lake,
        "generate",
        "--days",
        str(days),
        "--rows-per-day",
        str(rows),
        "--out",
        str(lake.landing),
    )
    generate.communicate(timeout=timeout)
    code, output, seconds = run_once(lake, ["--select", select] if select else [], timeout)
    if code != 0:
        raise RuntimeError(f"the reference run failed:\n{output}")
    done.write_text(f"{key} {seconds:.1f}")
    return seconds


def plan(options: argparse.Namespace) -> list[tuple[str, int]]:
    """(kind, seed) of every iteration: the SIGKILLs, then ``--each`` of every other kind."""
    kinds = options.kinds.split(",")
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise SystemExit(f"unknown fault kind(s) {', '.join(sorted(unknown))}: use {KINDS}")
    counts = {kind: options.iterations if kind == "sigkill" else options.each for kind in kinds}
    seeds = iter(range(options.seed, options.seed + sum(counts.values())))
    return [(kind, next(seeds)) for kind in KINDS if kind in kinds for _ in range(counts[kind])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--iterations", type=int, default=50, help="SIGKILL iterations (50)")
    parser.add_argument("--each", type=int, default=3, help="iterations of each other kind (3)")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated fault kinds")
    parser.add_argument("--seed", type=int, default=20, help="iteration i uses seed + i")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--rows-per-day", type=int, default=30000)
    parser.add_argument("--work", help="working folder, reference reused (default: temporary)")
    parser.add_argument("--results", default=str(REPO / "chaos" / "RESULTS.md"))
    parser.add_argument("--timeout", type=float, default=300, help="limit per run, seconds")
    options = parser.parse_args(argv)
    work = Path(options.work or tempfile.mkdtemp(prefix="lakehouse-chaos-")).resolve()
    reference = Lake(work / "reference" / "lake", work / "reference" / "dagster", work / "landing")
    command = " ".join(["python chaos/run.py", *(sys.argv[1:] if argv is None else argv)])
    results = Results(command, plan(options))
    print(f"reference lakehouse in {reference.root} ...", flush=True)
    results.reference_seconds = build_reference(
        reference, options.days, options.rows_per_day, options.timeout * 4
    )
    started = time.monotonic()
    with Series(work, reference, options.timeout) as series:
        for number, (kind, seed) in enumerate(results.planned, start=1):
            try:
                outcome = series.iterate(kind, random.Random(seed))
            except Exception as error:  # the series goes on; the iteration counts as failed
                outcome = Outcome(kind, "?", note=f"chaos harness error: {error!r:.300}")
            results.add(number, seed, outcome, time.monotonic() - started)
            results.write(Path(options.results))
            print(results.lines[-1], flush=True)
            if not outcome.recovered:
                print(outcome.log_tail, file=sys.stderr, flush=True)
    return 0 if results.recovered == len(results.outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
