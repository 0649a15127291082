"""One of several concurrent runners of a backfill: waits for the go file, then runs the daily
job for its own days, in order, against the lakehouse its environment names.

``python backfill_process.py '<json>'`` with days (ISO dates), ready and go (file paths) and
dagster_home (a folder with a ``dagster.yaml``: the instance, and so the concurrency pools,
the runners share); the ``LAKEHOUSE_*`` and ``AWS_*``
variables come from the environment. Prints, as JSON on its last
line, each run's day, start and end (``time.time()``).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

import dagster as dg
from lakes import daily_job, run_days

from lakehouse.settings import load_settings


def main(raw: str) -> None:
    args = json.loads(raw)
    days = [date.fromisoformat(d) for d in args["days"]]
    job = daily_job(load_settings())
    instance = dg.DagsterInstance.from_config(args["dagster_home"])
    Path(args["ready"]).touch()
    go = Path(args["go"])
    while not go.exists():
        time.sleep(0.005)
    spans = run_days(job, days, instance)
    runs = [
        {"day": day.isoformat(), "start": start, "end": end}
        for day, (start, end) in zip(days, spans, strict=True)
    ]
    print(json.dumps({"runs": runs}))


if __name__ == "__main__":
    main(sys.argv[1])
