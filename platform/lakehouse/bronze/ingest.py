"""Bronze for one landing day: take the files in, quarantine rejected files, publish the rest."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa

from lakehouse.bronze.intake import Intake, rejected_files_table, take_in
from lakehouse.bronze.table import bronze_stats_columns, to_bronze
from lakehouse.lake import DeltaStore, WriteResult
from lakehouse.lake.quarantine import quarantine_key, write_quarantine
from lakehouse.landing.files import list_landing_files
from lakehouse.quality.audit import CheckOutcome
from lakehouse.quality.names import CheckName
from lakehouse.sources import LANDING_DATE, SourceSpec


class NoLandingFilesError(ValueError):
    """No file of the source landed for the day."""


@dataclass(frozen=True)
class BronzeOutcome:
    """What happened to one bronze partition."""

    intake: Intake
    table: pa.Table
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
    intake = take_in(uris, spec, storage_options)
    write_quarantine(
        store,
        quarantine_key(spec.name, files=True),
        rejected_files_table(intake.rejected, day, now),
        day,
    )
    table = to_bronze(intake.landed, day, now)
    outcomes = landing_checks(intake, spec)
    if any(o.blocking and not o.passed for o in outcomes):
        return BronzeOutcome(intake, table, outcomes, None)
    stats = bronze_stats_columns(spec)  # no min/max of raw PII in the log or the footers
    result = store.replace_partition(["bronze", spec.name], table, LANDING_DATE, day, stats)
    return BronzeOutcome(intake, table, outcomes, result)
