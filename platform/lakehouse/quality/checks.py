"""Contract checks as Dagster asset checks: their specs per asset and their results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import dagster as dg

from lakehouse.lake.metadata import RawMetadataValue
from lakehouse.quality.audit import CheckOutcome
from lakehouse.quality.names import AUDIT_CHECKS, BRONZE_CHECKS, CHECKS, CheckName
from lakehouse.sources import SourceSpec


def check_spec(name: CheckName, key: dg.AssetKey) -> dg.AssetCheckSpec:
    """The Dagster spec of check ``name`` on ``key``, described and blocking per ``CHECKS``."""
    info = CHECKS[name]
    return dg.AssetCheckSpec(
        name.value, asset=key, description=info.description, blocking=info.blocking
    )


def bronze_check_specs(key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    """Blocking landing checks of a bronze asset."""
    return [check_spec(name, key) for name in BRONZE_CHECKS]


def silver_check_names(spec: SourceSpec) -> list[CheckName]:
    """The checks a silver asset reports, blocking first."""
    names = [*AUDIT_CHECKS, CheckName.ERROR_BUDGET]
    if spec.kind == "fact":
        names += [CheckName.TABLE_UNIQUE_KEYS, CheckName.VOLUME]
    if spec.type2:
        names.append(CheckName.HISTORY_VALIDITY)
    if spec.quality.drift_columns:
        names.append(CheckName.DISTRIBUTION_DRIFT)
    if any(c.references for c in spec.columns):
        names.append(CheckName.REFERENTIAL_INTEGRITY)
    return names


def silver_check_specs(spec: SourceSpec, key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    """Every contract check of a silver asset; blocking ones stop downstream assets."""
    return [check_spec(name, key) for name in silver_check_names(spec)]


def check_result(key: dg.AssetKey, outcome: CheckOutcome) -> dg.AssetCheckResult:
    """A Dagster check result carrying the outcome's evidence."""
    severity = dg.AssetCheckSeverity.ERROR if outcome.blocking else dg.AssetCheckSeverity.WARN
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=outcome.name.value,
        passed=outcome.passed,
        severity=severity,
        description=outcome.description,
        metadata={
            k: dg.MetadataValue.json(v) if isinstance(v, list | dict) else v
            for k, v in outcome.metadata().items()
        },
    )


def blocked_failure(
    key: dg.AssetKey, outcomes: Sequence[CheckOutcome], metadata: Mapping[str, RawMetadataValue]
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
