"""Bronze for one landing day: take the files in, quarantine rejected files, publish the rest."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa

from lakehouse.bronze.days import combine_days
from lakehouse.bronze.intake import (
    Intake,
    IntakeStream,
    combined,
    rejected_files_table,
    write_intake,
)
from lakehouse.bronze.table import bronze_stats_columns
from lakehouse.lake import DeltaStore, WriteResult
from lakehouse.lake.quarantine import quarantine_key
from lakehouse.landing.files import list_landing_files
from lakehouse.quality.audit import CheckOutcome
from lakehouse.quality.names import CheckName
from lakehouse.sources import LANDING_DATE, METADATA_COLUMNS, SourceSpec


class NoLandingFilesError(ValueError):
    """No file of the source landed for the day."""


@dataclass(frozen=True)
class BronzeOutcome:
    """What happened to one bronze partition (or the days of one commit)."""

    intake: Intake
    schema: pa.Schema
    outcomes: list[CheckOutcome]
    published: WriteResult | None

    @property
    def blocked(self) -> bool:
        """True when a blocking check failed: bronze was not written."""
        return self.published is None


def landing_checks(intake: Intake, spec: SourceSpec) -> list[CheckOutcome]:
    """The blocking landing checks: schema drift, and the rejected-files budget."""
    drifted = intake.drifted
    budget = spec.quality.error_budget
    sample = [{"file": f.uri, "rows": f.rows, "reason": f.reason} for f in intake.rejected][:5]
    return [
        CheckOutcome(
            name=CheckName.LANDING_SCHEMA,
            passed=not drifted,
            description=f"Landed files match the contract of {spec.name} "
            f"(schema_drift: {spec.quality.schema_drift}).",
            observed="; ".join(f.reason for f in drifted) or "as declared",
            threshold="as declared",
            failing_rows=sum(f.rows for f in drifted),
            sample=[s for s in sample if "drift" in s["reason"]],
        ),
        CheckOutcome(
            name=CheckName.LANDING_FILES_BUDGET,
            passed=intake.rejected_share <= budget,
            description="Share of delivered rows in rejected files.",
            observed=round(intake.rejected_share, 6),
            threshold=budget,
            failing_rows=intake.rejected_rows,
            sample=sample,
        ),
    ]


def ingest_days(
    store: DeltaStore,
    spec: SourceSpec,
    files: Mapping[date, Sequence[str]],
    now: datetime,
    storage_options: Mapping[str, str] | None = None,
) -> tuple[BronzeOutcome, dict[date, list[CheckOutcome]]]:
    """Land the ``files`` of one or more days in one commit: the files are streamed into the
    days' bronze partitions, rejected files replace the days' partitions of quarantine.

    Nothing is written to bronze when a blocking landing check of any day fails. Returns the
    outcome (checks combined over the days) and each day's checks.
    """
    days = sorted(files)
    key = ["bronze", spec.name]
    stored = store.dataset_if_exists(key)
    known = [c for c in stored.schema.names if c not in METADATA_COLUMNS] if stored else []
    checks = functools.partial(landing_checks, spec=spec)
    intake = IntakeStream(files, spec, now, storage_options, checks, table_columns=known)
    stats = bronze_stats_columns(spec)  # no min/max of raw PII in the log or the footers
    if len(days) == 1:
        published = write_intake(
            intake, lambda rows: store.replace_partition(key, rows, LANDING_DATE, days[0], stats)
        )
    else:
        published = write_intake(
            intake, lambda rows: store.replace_partitions(key, rows, LANDING_DATE, days, stats)
        )
    rejected = [rejected_files_table(intake.intakes[d].rejected, d, now) for d in days]
    store.replace_partitions(
        quarantine_key(spec.name, files=True), pa.concat_tables(rejected), LANDING_DATE, days
    )
    outcomes = combine_days(intake.outcomes)
    landed = combined([intake.intakes[d] for d in days])
    return BronzeOutcome(landed, intake.schema, outcomes, published), intake.outcomes


def ingest_partition(
    store: DeltaStore,
    landing_root: str,
    spec: SourceSpec,
    day: date,
    now: datetime,
    storage_options: Mapping[str, str] | None = None,
) -> BronzeOutcome:
    """Land one day of ``spec``: rejected files go to quarantine, the rest replace the partition.

    Nothing is written to bronze when a blocking landing check fails.

    Raises:
        NoLandingFilesError: no file matches the source's landing pattern for ``day``.
    """
    uris = list_landing_files(landing_root, spec.landing, day, storage_options)
    if not uris:
        pattern = spec.landing.path.replace("{date}", day.isoformat())
        raise NoLandingFilesError(
            f"no landing files for {spec.name} on {day}: nothing matches {landing_root}/{pattern}. "
            "Deliver the files (or run `lakehouse generate`) and re-run the partition."
        )
    outcome, _ = ingest_days(store, spec, {day: uris}, now, storage_options)
    return outcome
