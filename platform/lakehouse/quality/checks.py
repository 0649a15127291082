"""Contract checks as Dagster asset checks: their specs per asset and their results."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from lakehouse.quality.audit import BLOCKING_CHECKS, CheckOutcome
from lakehouse.sources import SourceSpec

BRONZE_CHECKS = {
    "landing_schema": "Every landed file has the declared columns and compatible types "
    "(schema drift policy applies to new columns).",
    "landing_files_budget": "Rows in rejected (unreadable) files stay within the error budget.",
}
SILVER_DESCRIPTIONS = {
    "contract_schema": "Columns and types equal the contract.",
    "not_null": "Required columns and keys hold no NULL.",
    "unique_keys": "Business keys are unique.",
    "accepted_values": "Enumerated columns hold only accepted values.",
    "value_ranges": "Numeric columns lie within their declared min and max.",
    "error_budget": "Invalid rows (quarantined) stay within the contract's error budget.",
    "volume": "Row count within the band around the trailing partitions' mean.",
    "distribution_drift": "Population stability index of numeric columns vs the trailing window.",
    "referential_integrity": "Foreign keys point at existing rows.",
}


def bronze_check_specs(key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    """Blocking landing checks of a bronze asset."""
    return [
        dg.AssetCheckSpec(name, asset=key, description=text, blocking=True)
        for name, text in BRONZE_CHECKS.items()
    ]


def silver_check_names(spec: SourceSpec) -> list[str]:
    """The checks a silver asset reports, blocking first."""
    names = [*BLOCKING_CHECKS, "error_budget"]
    if spec.kind == "fact":
        names.append("volume")
    if spec.quality.drift_columns:
        names.append("distribution_drift")
    if any(c.references for c in spec.columns):
        names.append("referential_integrity")
    return names


def silver_check_specs(spec: SourceSpec, key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    """Every contract check of a silver asset; blocking ones stop downstream assets."""
    blocking = {*BLOCKING_CHECKS, "error_budget"}
    return [
        dg.AssetCheckSpec(
            name, asset=key, description=SILVER_DESCRIPTIONS[name], blocking=name in blocking
        )
        for name in silver_check_names(spec)
    ]


def check_result(key: dg.AssetKey, outcome: CheckOutcome) -> dg.AssetCheckResult:
    """A Dagster check result carrying the outcome's evidence."""
    severity = dg.AssetCheckSeverity.ERROR if outcome.blocking else dg.AssetCheckSeverity.WARN
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=outcome.name,
        passed=outcome.passed,
        severity=severity,
        description=outcome.description,
        metadata={
            k: dg.MetadataValue.json(v) if isinstance(v, list | dict) else v
            for k, v in outcome.metadata().items()
        },
    )


def blocked_failure(
    key: dg.AssetKey, outcomes: Sequence[CheckOutcome], metadata: dict[str, object]
) -> dg.Failure:
    """The failure raised when blocking checks failed: nothing was published."""
    failed = [o for o in outcomes if o.blocking and not o.passed]
    lines = [
        f"{o.name}: {o.description} observed {o.observed}, threshold {o.threshold}" for o in failed
    ]
    return dg.Failure(
        description=f"{key.to_user_string()} blocked, nothing published:\n  " + "\n  ".join(lines),
        metadata=metadata,
        allow_retries=False,
    )
