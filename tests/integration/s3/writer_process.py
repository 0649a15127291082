"""One of several concurrent writers: waits for the go file, then commits N times to one table.

``python writer_process.py '<json>'`` with root, storage_options, worker, commits, rows, mode
(``append`` or ``replace_partition``), ready and go (file paths). Prints the versions the
store reported, as JSON, on its last line.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pyarrow as pa

from lakehouse.lake import DeltaStore

KEY = ["bronze", "concurrent"]


def _rows(worker: int, commit: int, rows: int) -> pa.Table:
    return pa.table(
        {
            "worker": pa.array([worker] * rows, pa.int64()),
            "commit": pa.array([commit] * rows, pa.int64()),
            "row": pa.array(range(rows), pa.int64()),
        }
    )


def main(raw: str) -> None:
    args = json.loads(raw)
    store = DeltaStore(args["root"], args["storage_options"])
    worker, rows = args["worker"], args["rows"]
    Path(args["ready"]).touch()
    go = Path(args["go"])
    while not go.exists():
        time.sleep(0.005)
    versions = []
    for commit in range(args["commits"]):
        data = _rows(worker, commit, rows)
        if args["mode"] == "append":
            result = store.append(KEY, data)
        else:
            result = store.replace_partition(KEY, data, "worker", worker)
        versions.append(result.version)
    print(json.dumps({"worker": worker, "versions": versions}))


if __name__ == "__main__":
    main(sys.argv[1])
