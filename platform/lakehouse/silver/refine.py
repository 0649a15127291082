"""Silver for one landing day: split by the contract, quarantine, write-audit-publish, observe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pyarrow as pa

from lakehouse.lake import DeltaStore, WriteResult
from lakehouse.lake.quarantine import quarantine_key, write_quarantine
from lakehouse.lake.wap import write_audit_publish
from lakehouse.quality.audit import CheckOutcome, audit
from lakehouse.quality.names import CheckName
from lakehouse.quality.trends import (
    check_drift,
    check_references,
    check_volume,
    partition_row_counts,
)
from lakehouse.silver.transform import SilverSplit, silver_schema, split_silver
from lakehouse.sources import LANDING_DATE, SourceSpec


@dataclass(frozen=True)
class SilverOutcome:
    """What happened to one silver partition."""

    split: SilverSplit
    outcomes: list[CheckOutcome]
    published: WriteResult | None

    @property
    def blocked(self) -> bool:
        """True when a blocking check failed: the silver table was not changed."""
        return self.published is None


def budget_check(split: SilverSplit, spec: SourceSpec) -> CheckOutcome:
    """Invalid rows within the contract's error budget (duplicates are not errors)."""
    budget = spec.quality.error_budget
    sample = split.quarantined.filter(
        pa.compute.not_equal(split.quarantined.column("reason"), "duplicate")
    ).slice(0, 5)
    return CheckOutcome(
        name=CheckName.ERROR_BUDGET,
        passed=split.invalid_share <= budget,
        description=f"Invalid rows quarantined: {split.invalid_rows} of {split.bronze_rows} "
        f"({', '.join(f'{k}: {v}' for k, v in split.reasons.items()) or 'none'}).",
        observed=round(split.invalid_share, 6),
        threshold=budget,
        failing_rows=split.invalid_rows,
        sample=sample.select(["reason", "record", "_source_file"]).to_pylist(),
    )


def refine_partition(store: DeltaStore, spec: SourceSpec, day: date, pii_key: str) -> SilverOutcome:
    """Turn one bronze partition into silver, publishing only what passes the blocking checks.

    Facts replace their landing-day partition; dimensions merge on their keys (latest wins).
    Quarantined rows replace the day's partition of ``quarantine/<source>`` either way.
    """
    key = ["silver", spec.name]
    # No reference to the bronze batch outlives the split: it is freed before the writes.
    split = split_silver(
        store.read(["bronze", spec.name], filter_column=LANDING_DATE, filter_value=day),
        spec,
        pii_key,
    )
    write_quarantine(store, quarantine_key(spec.name), split.quarantined, day)
    counts = partition_row_counts(store, key) if spec.kind == "fact" else {}
    schema = silver_schema(spec)

    def audit_candidate(candidate: pa.Table) -> list[CheckOutcome]:
        return [*audit(candidate, spec, schema), budget_check(split, spec)]

    def publish(candidate: pa.Table) -> WriteResult:
        if spec.kind == "fact":
            return store.replace_partition(key, candidate, LANDING_DATE, day)
        return store.merge(key, candidate, keys=spec.keys, newer_column=spec.order_by)

    wap = write_audit_publish(store, key, split.published, audit_candidate, publish)
    observed: list[CheckOutcome] = []
    if spec.kind == "fact":
        q = spec.quality
        observed.append(
            check_volume(counts, day, split.published.num_rows, q.volume_window, q.volume_tolerance)
        )
    if spec.quality.drift_columns:
        observed.append(check_drift(store, key, spec, day, split.published))
    references = check_references(store, spec, split.published)
    if references is not None:
        observed.append(references)
    return SilverOutcome(split, [*wap.outcomes, *observed], wap.published)
