"""Silver for one landing day: split by the contract, quarantine, write-audit-publish, observe."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow.compute as pc

from lakehouse.lake import DeltaStore, WriteResult
from lakehouse.lake.quarantine import quarantine_key, write_quarantine
from lakehouse.lake.spool import Rows, as_table, as_written
from lakehouse.lake.wap import write_audit_publish
from lakehouse.quality.audit import CheckOutcome, audit
from lakehouse.quality.names import CheckName
from lakehouse.quality.trends import (
    check_drift,
    check_references,
    check_volume,
    partition_row_counts,
)
from lakehouse.silver.dimension_history import (
    HistoryUpdate,
    adopt_dimension_history,
    history_update,
)
from lakehouse.silver.facts import KEYS_CHECKED, FactUpdate, adopt_history, fact_update
from lakehouse.silver.history import history_key
from lakehouse.silver.transform import (
    SilverSplit,
    silver_schema,
    split_silver,
)
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
        pc.not_equal(split.quarantined.column("reason"), "duplicate")
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


@dataclass
class SilverPublisher:
    """What publishing a silver candidate of ``days`` checks and writes beyond the candidate,
    the same for one day (:func:`refine_partition`) and a range (``silver.ranges``): a fact's
    history and one row per key, or a dimension's merge and, if type 2, its history."""

    store: DeltaStore
    spec: SourceSpec
    days: list[date]
    keys_unique: bool = False
    """Each key once in the candidate (one day's split), as ``fact_update`` takes it."""
    updates: list[FactUpdate] = field(default_factory=list)
    versions: list[HistoryUpdate] = field(default_factory=list)

    def audit_table(self, candidate: Rows, versions: Rows) -> list[CheckOutcome]:
        """The table-wide checks: a fact's keys unique across days, a type-2 history's
        validity (over every delivered version in ``versions``)."""
        store, spec, days = self.store, self.spec, self.days
        if spec.kind == "fact":
            unique = self.keys_unique
            self.updates.append(fact_update(store, spec, days, candidate, unique))
            return [self.updates[-1].unique]
        if spec.type2:
            self.versions.append(history_update(store, spec, days, as_table(versions)))
            return [self.versions[-1].validity]
        return []

    def publish(self, candidate: Rows) -> WriteResult:
        """Write the audited candidate: one commit per table (a spool is streamed)."""
        store, spec, key = self.store, self.spec, ["silver", self.spec.name]
        if spec.kind == "fact":
            update = self.updates[-1]
            # Marked only when the check passed: the next one then trusts the rest.
            mark = {KEYS_CHECKED: update.checked} if update.unique.passed else None
            if update.alone:  # the same rows in both tables: encoded once, linked into the other
                return self._publish_alone(candidate, update, mark)
            # The two tables' files are written at once (delta-rs writes off the GIL); the
            # current table commits only after the history did, as when written one by one.
            with ThreadPoolExecutor(1, thread_name_prefix="history-writer") as writer:
                history = writer.submit(
                    store.replace_partitions,
                    history_key(spec),
                    as_written(candidate),
                    LANDING_DATE,
                    self.days,
                )
                rows = as_written(update.rows)
                return store.replace_partitions(
                    key, rows, LANDING_DATE, update.days, None, mark, history.result
                )
        if self.versions:
            history = self.versions[-1]
            store.replace_partitions(history_key(spec), history.rows, LANDING_DATE, history.days)
        return store.merge(key, as_table(candidate), keys=spec.keys, newer_column=spec.order_by)

    def _publish_alone(
        self, candidate: Rows, update: FactUpdate, mark: dict[str, str] | None
    ) -> WriteResult:
        """History first, then the current table the files the history's commit added (or,
        when the two tables' schemas or statistics columns differ, the rows written again)."""
        store, spec, key = self.store, self.spec, ["silver", self.spec.name]
        history = store.replace_partitions(
            history_key(spec), as_written(candidate), LANDING_DATE, self.days
        )
        linked = store.link_partitions(key, history, LANDING_DATE, update.days, mark)
        if linked is not None:
            return linked
        rows = as_written(update.rows)
        return store.replace_partitions(key, rows, LANDING_DATE, update.days, None, mark)


def refine_partition(
    store: DeltaStore, spec: SourceSpec, day: date, pii_key: str, spool_to: Path | None = None
) -> SilverOutcome:
    """Turn one bronze partition into silver, publishing only what passes the blocking checks.

    Facts keep every landing day's rows in ``silver/<fact>_history`` (the day's partition is
    replaced) and one row per key, its latest version, in ``silver/<fact>``; dimensions merge
    on their keys (latest wins), and type-2 ones keep every version with its validity in
    ``silver/<dimension>_history`` (``history_update``). Quarantined rows replace the day's
    partition of ``quarantine/<source>`` either way.
    """
    key = ["silver", spec.name]
    # Bronze is streamed through the split, never held under the published rows.
    split = split_silver(
        store.scan(["bronze", spec.name], filter_column=LANDING_DATE, filter_value=day),
        spec,
        pii_key,
        spool_to,
    )
    write_quarantine(store, quarantine_key(spec.name), split.quarantined, day)
    fact = spec.kind == "fact"
    if fact:
        adopt_history(store, spec)
    elif spec.type2:
        adopt_dimension_history(store, spec)
    counts = partition_row_counts(store, history_key(spec)) if fact else {}
    schema = silver_schema(spec)
    publisher = SilverPublisher(store, spec, [day], keys_unique=True)

    def audit_candidate(candidate: Rows) -> list[CheckOutcome]:
        checks = [*audit(candidate, spec, schema), budget_check(split, spec)]
        return [*checks, *publisher.audit_table(candidate, candidate)]

    wap = write_audit_publish(store, key, split.published, audit_candidate, publisher.publish)
    observed: list[CheckOutcome] = []
    if fact:
        q = spec.quality
        observed.append(
            check_volume(counts, day, split.published_rows, q.volume_window, q.volume_tolerance)
        )
    if spec.quality.drift_columns:
        drift_key = history_key(spec) if fact else key
        observed.append(check_drift(store, drift_key, spec, day, split.published))
    references = check_references(store, spec, split.published)
    if references is not None:
        observed.append(references)
    return SilverOutcome(split, [*wap.outcomes, *observed], wap.published)
