"""Bronze over a range of landing days: the days' files taken in, one commit per table per chunk.

A range run (a backfill) writes each table once per chunk of days instead of once per day;
the tables end exactly as when the days run one by one. Chunks keep memory bounded: a chunk
holds whole days up to ``RANGE_ROWS`` rows (at least one day), so a month of small days is one
commit and a month of large days is one commit per day or two.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import pyarrow as pa

from lakehouse.bronze.ingest import BronzeOutcome, NoLandingFilesError, landing_checks
from lakehouse.bronze.intake import Intake, rejected_files_table, take_in
from lakehouse.bronze.table import bronze_stats_columns, to_bronze
from lakehouse.lake import DeltaStore
from lakehouse.lake.quarantine import quarantine_key
from lakehouse.landing.files import list_landing_files
from lakehouse.quality.audit import CheckOutcome
from lakehouse.sources import LANDING_DATE, SourceSpec

RANGE_ROWS = 2_000_000
"""Rows of one table held in memory (and written in one commit) by a range run, at most,
unless a single day holds more (~0.5 GB of bronze Arrow; silver's working set is 3-5x that)."""


def chunk_days(rows: Mapping[date, int], days: Sequence[date], limit: int) -> list[list[date]]:
    """``days`` in order, cut into runs of consecutive days holding at most ``limit`` rows
    (``rows`` per day; a day over ``limit`` is a chunk of its own)."""
    chunks: list[list[date]] = []
    held = 0
    for day in sorted(days):
        count = rows.get(day, 0)
        if chunks and chunks[-1] and held + count <= limit:
            chunks[-1].append(day)
            held += count
        else:
            chunks.append([day])
            held = count
    return chunks


def combine_days(
    by_day: Mapping[date, Sequence[CheckOutcome]], unit: str = "days"
) -> list[CheckOutcome]:
    """One outcome per check for a range, from each day's outcomes (or each chunk's, keyed by
    its first day: ``unit="chunks"``): it passes when every day passed; a failure names the
    failing days and shows the first one's evidence."""
    days = sorted(by_day)
    if len(days) == 1:
        return list(by_day[days[0]])
    span = f"{len(days)} {unit} {days[0]}..{days[-1]}"
    names = list(dict.fromkeys(o.name for d in days for o in by_day[d]))
    combined = []
    for name in names:
        found = [(d, o) for d in days for o in by_day[d] if o.name == name]
        failed = [(d, o) for d, o in found if not o.passed]
        failing_rows = sum(o.failing_rows for _, o in found)
        if not failed:
            last_day, last = found[-1]
            description = f"{last.description} ({span}: every day passed; {last_day} shown)"
            combined.append(replace(last, description=description, failing_rows=failing_rows))
            continue
        first_day, first = failed[0]
        listed = ", ".join(str(d) for d, _ in failed[:5]) + (", …" if len(failed) > 5 else "")
        combined.append(
            replace(
                first,
                description=f"{len(failed)} of {span} failed ({listed}); {first_day}: "
                f"{first.description}",
                failing_rows=failing_rows,
                sample=[row for _, o in failed for row in o.sample][:5],
            )
        )
    return combined


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
        outcomes = [outcome for _, outcome in self.chunks]
        return Intake(
            [f for o in outcomes for f in o.intake.landed],
            [f for o in outcomes for f in o.intake.rejected],
        )

    @property
    def schema(self) -> pa.Schema:
        """The bronze schema written: every landed column of the range, as text."""
        return pa.unify_schemas([o.table.schema for _, o in self.chunks])


def _commit(
    store: DeltaStore,
    spec: SourceSpec,
    taken: list[tuple[date, Intake]],
    checks: Mapping[date, list[CheckOutcome]],
    now: datetime,
) -> BronzeOutcome:
    """Quarantine the days' rejected files and, unless a blocking check failed, replace the
    days' bronze partitions: one commit per table."""
    days = [day for day, _ in taken]
    rejected = [rejected_files_table(intake.rejected, day, now) for day, intake in taken]
    store.replace_partitions(
        quarantine_key(spec.name, files=True), pa.concat_tables(rejected), LANDING_DATE, days
    )
    intake = Intake(
        [f for _, i in taken for f in i.landed], [f for _, i in taken for f in i.rejected]
    )
    outcomes = combine_days({day: checks[day] for day in days})
    parts = [to_bronze(i.landed, day, now) for day, i in taken]
    table = pa.concat_tables(parts, promote_options="default")
    if any(o.blocking and not o.passed for o in outcomes):
        return BronzeOutcome(intake, table, outcomes, None)
    stats = bronze_stats_columns(spec)  # as ``ingest_partition``: no min/max of raw PII
    result = store.replace_partitions(["bronze", spec.name], table, LANDING_DATE, days, stats)
    return BronzeOutcome(intake, table, outcomes, result)


def _taken(
    files: Mapping[date, list[str]],
    spec: SourceSpec,
    storage_options: Mapping[str, str] | None,
    limit: int,
) -> Iterator[list[tuple[date, Intake]]]:
    """The days' intakes, a chunk at a time (up to ``limit`` rows taken in, at least a day)."""
    chunk: list[tuple[date, Intake]] = []
    held = 0
    for day in sorted(files):
        intake = take_in(files[day], spec, storage_options)
        if chunk and held + intake.accepted_rows > limit:
            yield chunk
            chunk, held = [], 0
        chunk.append((day, intake))
        held += intake.accepted_rows
    if chunk:
        yield chunk


def ingest_range(
    store: DeltaStore,
    landing_root: str,
    spec: SourceSpec,
    days: Sequence[date],
    now: datetime,
    storage_options: Mapping[str, str] | None = None,
    limit: int = RANGE_ROWS,
) -> RangeOutcome:
    """Land ``days`` of ``spec``: per chunk of days, rejected files go to quarantine and the
    rest replace the days' partitions in one commit; the tables end as if each day had been
    ingested alone (``ingest_partition``).

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
    chunks: list[tuple[list[date], BronzeOutcome]] = []
    by_day: dict[date, list[CheckOutcome]] = {}
    for taken in _taken(files, spec, storage_options, limit):
        by_day.update((day, landing_checks(intake, spec)) for day, intake in taken)
        outcome = _commit(store, spec, taken, by_day, now)
        chunks.append(([day for day, _ in taken], outcome))
        if outcome.blocked:
            break
    return RangeOutcome(chunks, combine_days(by_day))
