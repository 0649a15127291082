"""Cost per asset and day, and storage per table, priced from ``prices.yaml``.

CPU-seconds are the step's wall time (steps run in the run's process on a Fargate task of the
priced size); PUTs are the data files added plus the commit, GETs a fixed number per commit.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import yaml
from deltalake import DeltaTable
from deltalake.fs import DeltaStorageHandler

from lakehouse.observability.tables import COST_SCHEMA, STORAGE_SCHEMA

PRICES_FILE = Path(__file__).with_name("prices.yaml")
_GB = 1024**3


@dataclass(frozen=True)
class Prices:
    """The price table: where and when the prices were read, and the unit prices."""

    region: str
    read_on: str
    vcpu_hour: float
    gb_hour: float
    task_vcpu: float
    task_memory_gb: float
    put_per_1000: float
    get_per_1000: float
    storage_gb_month: float
    puts_per_commit: int = 1
    gets_per_commit: int = 2

    @property
    def cpu_second(self) -> float:
        """Dollars per second of the priced task."""
        return (self.vcpu_hour * self.task_vcpu + self.gb_hour * self.task_memory_gb) / 3600


def load_prices(path: Path = PRICES_FILE) -> Prices:
    """Read the price table; raises ``ValueError`` naming the file and the missing field."""
    raw = yaml.safe_load(path.read_text())
    try:
        fargate, s3, requests = raw["fargate"], raw["s3"], raw.get("requests", {})
        return Prices(
            region=str(raw["region"]),
            read_on=str(raw["read_on"]),
            vcpu_hour=float(fargate["vcpu_hour"]),
            gb_hour=float(fargate["gb_hour"]),
            task_vcpu=float(fargate["task_vcpu"]),
            task_memory_gb=float(fargate["task_memory_gb"]),
            put_per_1000=float(s3["put_per_1000"]),
            get_per_1000=float(s3["get_per_1000"]),
            storage_gb_month=float(s3["storage_gb_month"]),
            puts_per_commit=int(requests.get("puts_per_commit", 1)),
            gets_per_commit=int(requests.get("gets_per_commit", 2)),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{path}: missing price {exc}; see the fields in prices.yaml") from None


def cost_daily(events: pa.Table, prices: Prices) -> pa.Table:
    """Per asset and day (of the event): runs, CPU-seconds (failed steps too), bytes and
    files written, estimated requests and dollars (``COST_SCHEMA``)."""
    acc: dict[tuple, dict] = defaultdict(lambda: defaultdict(float))
    for e in events.to_pylist():
        if e["kind"] == "check":
            continue
        row = acc[(e["asset"], e["timestamp"].date())]
        row["runs_set"] = row.get("runs_set") or set()  # type: ignore[assignment]
        row["runs_set"].add(e["run_id"])  # type: ignore[union-attr]
        row["cpu_seconds"] += e["step_seconds"] or 0.0
        if e["kind"] == "materialization":
            row["commits"] += 1
            row["bytes_added"] += e["bytes_added"] or 0
            row["files_added"] += e["files_added"] or 0
    out = []
    for (asset, day), row in sorted(acc.items()):
        puts = int(row["files_added"] + row["commits"] * prices.puts_per_commit)
        gets = int(row["commits"] * prices.gets_per_commit)
        compute = row["cpu_seconds"] * prices.cpu_second
        requests = puts / 1000 * prices.put_per_1000 + gets / 1000 * prices.get_per_1000
        out.append(
            {
                "asset": asset,
                "day": day,
                "runs": len(row["runs_set"]),  # type: ignore[arg-type]
                "cpu_seconds": row["cpu_seconds"],
                "bytes_added": int(row["bytes_added"]),
                "files_added": int(row["files_added"]),
                "put_requests": puts,
                "get_requests": gets,
                "compute_usd": compute,
                "request_usd": requests,
                "total_usd": compute + requests,
            }
        )
    return pa.Table.from_pylist(out, schema=COST_SCHEMA)


def table_storage(
    name: str, uri: str, prices: Prices, storage_options: Mapping[str, str] | None = None
) -> dict[str, object]:
    """One ``STORAGE_SCHEMA`` row: the current version's files (Delta add actions) against all
    data files under the table, kept for time travel until vacuum reclaims them."""
    options = dict(storage_options or {}) or None
    table = DeltaTable(uri, storage_options=options)
    adds = pa.table(table.get_add_actions(flatten=True))
    current = {
        str(p): int(s)
        for p, s in zip(adds["path"].to_pylist(), adds["size_bytes"].to_pylist(), strict=True)
    }
    fs = pafs.PyFileSystem(DeltaStorageHandler(uri, options=options))
    files = {
        info.path: int(info.size or 0)
        for info in fs.get_file_info(pafs.FileSelector("", recursive=True))
        if info.type == pafs.FileType.File
        and info.path.endswith(".parquet")
        and not info.path.startswith("_delta_log")
    }
    all_bytes = sum(files.values())
    reclaimable = sum(size for path, size in files.items() if path not in current)
    return {
        "table": name,
        "version": table.version(),
        "versions": len(table.history()),
        "current_files": len(current),
        "current_bytes": sum(current.values()),
        "all_files": len(files),
        "all_bytes": all_bytes,
        "reclaimable_bytes": reclaimable,
        "storage_usd_month": all_bytes / _GB * prices.storage_gb_month,
    }


def storage_rows(rows: list[dict[str, object]]) -> pa.Table:
    """The ``ops/storage`` table from ``table_storage`` rows."""
    return pa.Table.from_pylist(rows, schema=STORAGE_SCHEMA)
