"""Bronze over a range of landing days: the days' files streamed in, one commit per chunk.

A range run (a backfill) writes each table once per chunk of days instead of once per day;
the tables end exactly as when the days run one by one. The files are streamed
(``IntakeStream``), so a chunk's size sets the commits, not the memory: a chunk holds whole
days up to ``RANGE_BYTES`` of landed files (at least one day).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa

from lakehouse.bronze.days import chunk_days, combine_days
from lakehouse.bronze.ingest import BronzeOutcome, NoLandingFilesError, ingest_days
from lakehouse.bronze.intake import Intake, combined
from lakehouse.lake import DeltaStore
from lakehouse.landing.files import landed_bytes, list_landing_files
from lakehouse.quality.audit import CheckOutcome
from lakehouse.sources import SourceSpec

RANGE_BYTES = 2 * 1024**3
"""Landed bytes of one table's days written in one commit by a range run, at most, unless a
single day holds more."""


@dataclass(frozen=True)
class RangeOutcome:
    """What happened to a range of bronze partitions: one outcome per chunk written or blocked.

    Writing stops at the first blocked chunk: the chunks before it are published (a re-run of
    the range replaces them again), the rest of the range is not read.
    """

    chunks: list[tuple[list[date], BronzeOutcome]]
    checks: list[CheckOutcome]

    @property
    def blocked(self) -> bool:
        """True when a blocking check failed in some chunk."""
        return any(outcome.blocked for _, outcome in self.chunks)

    @property
    def intake(self) -> Intake:
        """Every file of the range's chunks, taken in or rejected."""
        return combined([outcome.intake for _, outcome in self.chunks])

    @property
    def schema(self) -> pa.Schema:
        """The bronze schema written: every landed column of the range, as text."""
        return pa.unify_schemas([o.schema for _, o in self.chunks])


def ingest_range(
    store: DeltaStore,
    landing_root: str,
    spec: SourceSpec,
    days: Sequence[date],
    now: datetime,
    storage_options: Mapping[str, str] | None = None,
    limit: int = RANGE_BYTES,
) -> RangeOutcome:
    """Land ``days`` of ``spec``: per chunk of days (up to ``limit`` landed bytes), rejected
    files go to quarantine and the rest replace the days' partitions in one commit; the tables
    end as if each day had been ingested alone (``ingest_partition``).

    Raises:
        NoLandingFilesError: a day of the range has no file of the source; nothing is written.
    """
    files = {
        day: list_landing_files(landing_root, spec.landing, day, storage_options) for day in days
    }
    missing = [day for day, uris in files.items() if not uris]
    if missing:
        pattern = spec.landing.path.replace("{date}", "<day>")
        shown = ", ".join(str(d) for d in missing[:5]) + (", …" if len(missing) > 5 else "")
        raise NoLandingFilesError(
            f"no landing files for {spec.name} on {len(missing)} day(s) of the range "
            f"{min(days)}..{max(days)} ({shown}): nothing matches {landing_root}/{pattern}. "
            "Deliver the files, or backfill the days around them, and re-run."
        )
    sizes: Mapping[date, int] = {
        day: landed_bytes(uris, storage_options) for day, uris in files.items()
    }
    chunks: list[tuple[list[date], BronzeOutcome]] = []
    by_day: dict[date, list[CheckOutcome]] = {}
    for chunk in chunk_days(sizes, days, limit):
        outcome, checks = ingest_days(
            store, spec, {day: files[day] for day in chunk}, now, storage_options
        )
        by_day.update(checks)
        chunks.append((chunk, outcome))
        if outcome.blocked:
            break
    return RangeOutcome(chunks, combine_days(by_day))
