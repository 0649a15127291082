"""The bodies of ``lakehouse metrics serve``, ``lakehouse report`` and ``lakehouse
demo-history``; ``cli.py`` parses the arguments and passes the definitions builder in."""

import contextlib
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
from dagster._core.errors import DagsterHomeNotSetError

from lakehouse.lake import DeltaReader
from lakehouse.settings import Settings


def metrics_serve(settings: Settings, port: int, host: str, window_days: int) -> int:
    """Serve the ops tables as Prometheus metrics until interrupted."""
    from lakehouse.observability.exporter import serve

    print(f"serving the ops metrics of {settings.root} at http://{host}:{port}/metrics")
    with contextlib.suppress(KeyboardInterrupt):
        serve(DeltaReader(settings.root, settings.storage_options), port, host, window_days)
    return 0


def report(settings: Settings, out: str) -> int:
    """Write the health report into ``out``."""
    from lakehouse.observability.report import write_report

    reader = DeltaReader(settings.root, settings.storage_options)
    print(f"wrote {write_report(reader, Path(out), settings.operations.dagster_url)}")
    return 0


def demo_history(
    settings: Settings,
    build: Callable[[Settings], dg.Definitions],
    start: date | None,
    days: int,
    materialize_ops: bool = True,
) -> int:
    """Write demo history into $DAGSTER_HOME's instance, then (by default) the ops tables."""
    from lakehouse.observability.defs import OPS_JOB
    from lakehouse.observability.demo import write_demo_history

    start = start or date.today() - timedelta(days=days + 1)
    try:
        instance = dg.DagsterInstance.get()
    except DagsterHomeNotSetError:
        print("error: DAGSTER_HOME is unset: point it at the instance to fill", file=sys.stderr)
        return 2
    history = write_demo_history(instance, start, days)
    print(f"wrote {len(history.run_ids)} runs for {start} .. {start + timedelta(days - 1)}")
    if not materialize_ops:
        return 0
    ok = build(settings).resolve_job_def(OPS_JOB).execute_in_process(instance=instance).success
    print(f"ops tables under {settings.root}/ops: {'written' if ok else 'FAILED'}")
    return 0 if ok else 1
