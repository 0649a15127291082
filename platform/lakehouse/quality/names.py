"""Every check the platform runs, by name: one registry for specs, outcomes and results."""

from dataclasses import dataclass
from enum import StrEnum


class CheckName(StrEnum):
    """The names of the platform's asset checks (as Dagster shows them)."""

    LANDING_SCHEMA = "landing_schema"
    LANDING_FILES_BUDGET = "landing_files_budget"
    CONTRACT_SCHEMA = "contract_schema"
    NOT_NULL = "not_null"
    UNIQUE_KEYS = "unique_keys"
    TABLE_UNIQUE_KEYS = "table_unique_keys"
    HISTORY_VALIDITY = "history_validity"
    ACCEPTED_VALUES = "accepted_values"
    VALUE_RANGES = "value_ranges"
    ERROR_BUDGET = "error_budget"
    VOLUME = "volume"
    DISTRIBUTION_DRIFT = "distribution_drift"
    REFERENTIAL_INTEGRITY = "referential_integrity"
    MODEL_METRIC_FLOORS = "model_metric_floors"
    MODEL_VS_CHAMPION = "model_vs_champion"
    MODEL_PREDICTION_RATE = "model_prediction_rate"
    MODEL_FEATURES_PRESENT = "model_features_present"
    FEATURE_DRIFT = "feature_drift"
    DRIFT_PERSISTENT = "drift_persistent"


@dataclass(frozen=True)
class CheckInfo:
    """What a check proves, and whether its failure stops publishing (blocking)."""

    description: str
    blocking: bool


CHECKS: dict[CheckName, CheckInfo] = {
    CheckName.LANDING_SCHEMA: CheckInfo(
        "Every landed file has the declared columns and compatible types "
        "(schema drift policy applies to new columns).",
        blocking=True,
    ),
    CheckName.LANDING_FILES_BUDGET: CheckInfo(
        "Rows in rejected (unreadable) files stay within the error budget.", blocking=True
    ),
    CheckName.CONTRACT_SCHEMA: CheckInfo("Columns and types equal the contract.", blocking=True),
    CheckName.NOT_NULL: CheckInfo("Required columns and keys hold no NULL.", blocking=True),
    CheckName.UNIQUE_KEYS: CheckInfo("Business keys are unique.", blocking=True),
    CheckName.TABLE_UNIQUE_KEYS: CheckInfo(
        "Business keys are unique across the whole table once the day is combined "
        "(one row per key: its latest version).",
        blocking=True,
    ),
    CheckName.HISTORY_VALIDITY: CheckInfo(
        "Validity intervals of a type-2 dimension's history chain per key once the day is "
        "combined: no overlap, no gap, only the latest version open.",
        blocking=True,
    ),
    CheckName.ACCEPTED_VALUES: CheckInfo(
        "Enumerated columns hold only accepted values.", blocking=True
    ),
    CheckName.VALUE_RANGES: CheckInfo(
        "Numeric columns lie within their declared min and max.", blocking=True
    ),
    CheckName.ERROR_BUDGET: CheckInfo(
        "Invalid rows (quarantined) stay within the contract's error budget.", blocking=True
    ),
    CheckName.VOLUME: CheckInfo(
        "Row count within the band around the trailing partitions' mean.", blocking=False
    ),
    CheckName.DISTRIBUTION_DRIFT: CheckInfo(
        "Population stability index of numeric columns vs the trailing window.", blocking=False
    ),
    CheckName.REFERENTIAL_INTEGRITY: CheckInfo(
        "Foreign keys point at existing rows.", blocking=False
    ),
    CheckName.MODEL_METRIC_FLOORS: CheckInfo(
        "ROC AUC, PR AUC, log loss and calibration error meet the declared floors.",
        blocking=False,
    ),
    CheckName.MODEL_VS_CHAMPION: CheckInfo(
        "ROC AUC no worse than the champion's by more than the margin, on the same test set.",
        blocking=False,
    ),
    CheckName.MODEL_PREDICTION_RATE: CheckInfo(
        "The share of test customers predicted to churn lies within bounds.", blocking=False
    ),
    CheckName.MODEL_FEATURES_PRESENT: CheckInfo(
        "Every model feature is present and not all null.", blocking=False
    ),
    CheckName.FEATURE_DRIFT: CheckInfo(
        "Population stability index of live features and predictions vs the training snapshot.",
        blocking=False,
    ),
    CheckName.DRIFT_PERSISTENT: CheckInfo(
        "Drift stayed above the warning threshold for fewer days in a row than declared; "
        "failing retrains the model.",
        blocking=False,
    ),
}
BRONZE_CHECKS = (CheckName.LANDING_SCHEMA, CheckName.LANDING_FILES_BUDGET)
"""The checks of every bronze asset."""
AUDIT_CHECKS = (
    CheckName.CONTRACT_SCHEMA,
    CheckName.NOT_NULL,
    CheckName.UNIQUE_KEYS,
    CheckName.ACCEPTED_VALUES,
    CheckName.VALUE_RANGES,
)
"""The write-audit-publish checks of every silver candidate."""
