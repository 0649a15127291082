"""A newcomer's first minutes, measured: ``make run`` in a checkout, to a ready UI and to the
seeded days in gold, twice (the second start must rebuild nothing).

    python -m lakehouse_bench.first_minutes --checkout DIR [--port PORT] [--timeout S]

``DIR`` is a clone of the project (run it on a fresh clone with the uv cache warm, as the README
figures say). Prints a Markdown table: seconds from ``make run`` to the UI answering, from then
to the last seeded day's ``gold/orders_daily`` partition, the runs each start launched, how many
(asset, partition) pairs were materialised more than once, and how long ``make run`` took to
stop on SIGTERM (``scripts/run-dev.sh`` gives SIGINT, Ctrl-C, the same path; SIGTERM is sent
because a process started in the background of a non-interactive shell ignores SIGINT).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import dagster as dg

GOLD_DAILY = ("gold", "orders_daily")
SEED_DAYS = 7
QUIET_SECONDS = 30.0
"""No run queued or in progress for this long: the start has settled."""


@dataclass(frozen=True)
class Start:
    """One ``make run``: what it cost and what it launched."""

    ready_seconds: float
    gold_seconds: float | None
    runs: int
    repeated_materializations: int
    stop_seconds: float


def _ready(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def _gold_days_built_at(home: Path) -> list[float]:
    """Timestamps of the first materialisation of each ``gold/orders_daily`` partition."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        records = instance.fetch_materializations(dg.AssetKey(list(GOLD_DAILY)), limit=1000)
    first: dict[str, float] = {}
    for record in records.records:
        partition = record.partition_key or ""
        first[partition] = min(first.get(partition, record.timestamp), record.timestamp)
    return sorted(first.values())


def _runs(instance: dg.DagsterInstance, since: float) -> list[dg.RunRecord]:
    """The run records created since ``since`` (epoch s)."""
    import dagster as dg

    created = dg.RunsFilter(created_after=datetime.fromtimestamp(since, UTC))
    return list(instance.get_run_records(filters=created))


def _activity(home: Path, since: float) -> tuple[int, bool]:
    """Runs created since ``since`` (epoch s), and whether any is still queued or in progress.
    Polled while the start settles: reads run records only, never event logs."""
    import dagster as dg

    busy = {
        dg.DagsterRunStatus.QUEUED,
        dg.DagsterRunStatus.NOT_STARTED,
        dg.DagsterRunStatus.STARTING,
        dg.DagsterRunStatus.STARTED,
    }
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = _runs(instance, since)
    return len(runs), any(r.dagster_run.status in busy for r in runs)


def _repeated(home: Path, since: float) -> int:
    """The (asset, partition) pairs materialised more than once by runs created since
    ``since``: read once, after the start settled."""
    import dagster as dg

    pairs: Counter[tuple[str, str]] = Counter()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for run in _runs(instance, since):
            for event in instance.all_logs(
                run.dagster_run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            ):
                data = event.dagster_event.event_specific_data if event.dagster_event else None
                materialization = getattr(data, "materialization", None)
                if materialization is not None:
                    key = materialization.asset_key.to_user_string()
                    pairs[(key, materialization.partition or "")] += 1
    return sum(1 for n in pairs.values() if n > 1)


def measure_start(checkout: Path, port: int, timeout: float) -> Start:
    """One ``make run`` in ``checkout`` until the seeded days are in gold and nothing runs."""
    home = checkout / ".dagster"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "LAKEHOUSE_"))}
    env.pop("VIRTUAL_ENV", None)
    started_wall, started = time.time(), time.monotonic()
    make = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        if not _ready(port, started + timeout):
            raise SystemExit(f"the UI did not answer on port {port} within {timeout:.0f} s")
        ready = time.monotonic() - started
        ready_wall = started_wall + ready
        gold: float | None = None
        quiet_since: float | None = None
        while time.monotonic() - started < timeout:
            time.sleep(2)
            built = [t for t in _gold_days_built_at(home) if t >= started_wall]
            if gold is None and len(built) >= SEED_DAYS:
                gold = built[SEED_DAYS - 1] - ready_wall
            runs, busy = _activity(home, started_wall)
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= QUIET_SECONDS and (
                gold is not None or runs == 0
            ):
                break
        runs, _ = _activity(home, started_wall)
        repeated = _repeated(home, started_wall)
    finally:
        stopping = time.monotonic()
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=60)
        stop = time.monotonic() - stopping
    return Start(ready, gold, runs, repeated, stop)


def _row(name: str, start: Start) -> str:
    gold = f"{start.gold_seconds:.0f} s" if start.gold_seconds is not None else "nothing rebuilt"
    return (
        f"| {name} | {start.ready_seconds:.0f} s | {gold} | {start.runs} | "
        f"{start.repeated_materializations} | {start.stop_seconds:.1f} s |"
    )


def main(argv: list[str] | None = None) -> int:
    """Measure two consecutive ``make run`` starts and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--checkout", type=Path, required=True, help="a clone of the project")
    parser.add_argument("--port", type=int, default=3391)
    parser.add_argument("--timeout", type=float, default=900.0, help="per start (s)")
    args = parser.parse_args(argv)
    first = measure_start(args.checkout, args.port, args.timeout)
    second = measure_start(args.checkout, args.port, args.timeout)
    command = " ".join(["python -m lakehouse_bench.first_minutes", *(argv or sys.argv[1:])])
    print(f"`{command}` ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n")
    print(
        "| start | `make run` to ready UI | ready to 7th seeded day in gold | runs launched | "
        "(asset, partition) built twice | SIGTERM to stopped |"
    )
    print("|---|---|---|---|---|---|")
    print(_row("first (fresh clone)", first))
    print(_row("second (same checkout)", second))
    return 0


if __name__ == "__main__":
    sys.exit(main())
