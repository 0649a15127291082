"""Quarantine tables: rejected rows (``quarantine/<source>``) and files (``<source>_files``)."""

from __future__ import annotations

from datetime import date

import pyarrow as pa

from lakehouse.lake import DeltaStore, WriteResult
from lakehouse.sources import LANDING_DATE

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("reason", pa.string()),
        pa.field("record", pa.string()),
        pa.field("level", pa.string()),
        pa.field("rows", pa.int64()),
        pa.field("_source_file", pa.string()),
        pa.field("_ingested_at", pa.timestamp("us", tz="UTC")),
        pa.field(LANDING_DATE, pa.date32()),
    ]
)
"""Rejected rows (``level`` row, ``rows`` 1) and files (``level`` file, ``rows`` it held)."""


def quarantine_key(source: str, *, files: bool = False) -> list[str]:
    """The quarantine table of a source's rejected rows, or of its rejected files."""
    return ["quarantine", f"{source}_files" if files else source]


def write_quarantine(
    store: DeltaStore, key: list[str], rejected: pa.Table, day: date
) -> WriteResult:
    """Replace the day's quarantined rows, so re-runs never pile up (an empty day clears it)."""
    return store.replace_partition(key, rejected, LANDING_DATE, day)
