"""The ML assets: feature snapshots, labels, the model (gate checks), scores, canary, drift.

Thin faces over :mod:`lakehouse.ml.steps`: read, call, write, report.
"""

import warnings
from datetime import timedelta
from typing import Any

import dagster as dg

from lakehouse.lake.metadata import table_schema
from lakehouse.lake.resource import LakehouseResource
from lakehouse.ml import steps
from lakehouse.ml.config import DEFAULT_POLICY, ModelPolicy
from lakehouse.ml.drift import report
from lakehouse.ml.features import FEATURES_KEY
from lakehouse.ml.resource import MlflowResource
from lakehouse.ml.scoring import SCORES_COLUMNS, SCORES_SCHEMA
from lakehouse.operations.alerts import AlertWebhook
from lakehouse.operations.webhook import Alert
from lakehouse.policy.assets import table_pool
from lakehouse.policy.conditions import downstream_condition
from lakehouse.policy.retries import TRANSIENT_RETRY_POLICY, retry_transient_only
from lakehouse.quality.names import CHECKS, CheckName

GROUP = "ml"
OWNER = "team:ml"
FEATURES_MART = dg.AssetKey(list(FEATURES_KEY))
ORDERS = dg.AssetKey(["silver", "orders"])
SNAPSHOTS = dg.AssetKey(steps.SNAPSHOTS)
LABELS = dg.AssetKey(steps.LABELS)
MODEL = dg.AssetKey(["ml", "churn_model"])
SCORES = dg.AssetKey(steps.SCORES)
CANARY = dg.AssetKey(["ml", "churn_canary"])
DRIFT = dg.AssetKey(steps.DRIFT)
GATE_CHECKS = (
    CheckName.MODEL_METRIC_FLOORS,
    CheckName.MODEL_VS_CHAMPION,
    CheckName.MODEL_PREDICTION_RATE,
    CheckName.MODEL_FEATURES_PRESENT,
)
RETRAIN = (
    dg.AutomationCondition.any_checks_match(
        dg.AutomationCondition.check_failed(), blocking_only=False
    )
    .allow(dg.AssetSelection.checks(dg.AssetCheckKey(MODEL, str(CheckName.DRIFT_PERSISTENT))))
    .newly_true()
    & ~dg.AutomationCondition.in_progress()
).with_label("retrain_when_drift_persists")
"""The model retrains when its ``drift_persistent`` check newly fails."""


def _spec(name: CheckName, asset: dg.AssetKey) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(str(name), asset=asset, description=CHECKS[name].description)


def writes(key: dg.AssetKey) -> dict[str, Any]:
    """The table's own pool (one writer per Delta table) and transient-only retries."""
    return {"pool": table_pool(key), "retry_policy": TRANSIENT_RETRY_POLICY}


def _day(context: dg.AssetExecutionContext) -> Any:
    return context.partition_time_window.start.date()


def build_ml_assets(
    partitions: dg.PartitionsDefinition, policy: ModelPolicy = DEFAULT_POLICY
) -> list[Any]:
    """Every ML asset and check over the daily ``partitions``, with ``policy``."""
    daily: dict[str, Any] = {
        "partitions_def": partitions,
        "group_name": GROUP,
        "owners": [OWNER],
        # The latest day only: a new model must not rescore history (the canary reads it).
        "automation_condition": dg.AutomationCondition.eager(),
    }
    whole: dict[str, Any] = {
        "group_name": GROUP,
        "owners": [OWNER],
        "automation_condition": downstream_condition(whole_history=True),
    }

    with warnings.catch_warnings():
        # backfill_policy is "beta" in dagster 1.13 (as in lakehouse.policy.assets).
        warnings.filterwarnings("ignore", "Parameter `backfill_policy`", dg.BetaWarning)
        snapshots_asset = dg.asset(
            key=SNAPSHOTS,
            deps=[FEATURES_MART],
            kinds={"delta", "python"},
            # The mart holds every day's snapshot: a range of days is one read and one commit.
            backfill_policy=dg.BackfillPolicy.single_run(),
            **writes(SNAPSHOTS),
            **daily,
        )

    @snapshots_asset
    @retry_transient_only
    def churn_feature_snapshots(
        context: dg.AssetExecutionContext, lakehouse: LakehouseResource
    ) -> dg.MaterializeResult:
        """The features as known on each day of the run's partitions (the mart's snapshots)."""
        window = context.partition_time_window
        first, last = window.start.date(), (window.end - timedelta(days=1)).date()
        written = steps.snapshot_days(lakehouse.store(), first, last)
        return dg.MaterializeResult(metadata=written.as_metadata())

    # Labels follow the snapshots, not every landed day of orders: until the ML path has been
    # started (a first snapshot), a landing run must not request a labels run that cannot work.
    labels_condition = downstream_condition(dg.AssetSelection.assets(ORDERS), whole_history=True)

    @dg.asset(
        key=LABELS,
        deps=[SNAPSHOTS, ORDERS],
        kinds={"delta", "duckdb"},
        **writes(LABELS),
        **{**whole, "automation_condition": labels_condition},
    )
    @retry_transient_only
    def churn_labels(lakehouse: LakehouseResource) -> dg.MaterializeResult:
        """Churned = no order in the horizon after the snapshot; ``is_final`` once matured."""
        store = lakehouse.store()
        written = steps.build_labels(store, policy)
        labels = store.read(steps.LABELS, columns=["is_final", "churned"])
        final = sum(1 for f in labels.column("is_final").to_pylist() if f)
        meta = {**written.as_metadata(), "final_labels": final, "horizon_days": policy.horizon_days}
        return dg.MaterializeResult(metadata=meta)

    @dg.asset(
        key=MODEL,
        deps=[SNAPSHOTS, LABELS],
        kinds={"scikitlearn", "mlflow"},
        check_specs=[_spec(c, MODEL) for c in GATE_CHECKS],
        group_name=GROUP,
        owners=[OWNER],
        automation_condition=RETRAIN,
    )
    def churn_model(
        lakehouse: LakehouseResource, mlflow: MlflowResource, alert_webhook: AlertWebhook
    ) -> dg.MaterializeResult:
        """Train on earlier snapshots, test on later ones, register in MLflow, gate it."""
        trained = steps.train(lakehouse.store(), mlflow.registry(), policy, alert_webhook.url)
        results = [
            dg.AssetCheckResult(
                check_name=str(o.check),
                passed=o.passed,
                severity=dg.AssetCheckSeverity.ERROR,
                description=o.reason,
                metadata={k: v for k, v in o.figures.items() if v == v},  # drop NaN
            )
            for o in trained.outcomes
        ]
        meta: dict[str, Any] = {
            "model_version": trained.version.version,
            "status": trained.status,
            "run_id": trained.version.run_id,
            **{k: round(v, 4) for k, v in trained.metrics.items() if v == v},
            **{k: v for k, v in trained.version.params.items() if k.startswith("input.")},
            "code_version": trained.version.tags.get("mlflow.source.git.commit", ""),
        }
        return dg.MaterializeResult(metadata=meta, check_results=results)

    @dg.asset(
        key=SCORES,
        deps=[SNAPSHOTS, MODEL],
        kinds={"delta", "scikitlearn"},
        metadata={"dagster/column_schema": table_schema(SCORES_SCHEMA, SCORES_COLUMNS)},
        **writes(SCORES),
        **daily,
    )
    @retry_transient_only
    def churn_scores(
        context: dg.AssetExecutionContext, lakehouse: LakehouseResource, mlflow: MlflowResource
    ) -> dg.MaterializeResult:
        """Every customer scored by the champion; the canary share by the challenger."""
        written = steps.score(lakehouse.store(), mlflow.registry(), _day(context), policy)
        return dg.MaterializeResult(metadata=written.as_metadata())

    @dg.asset(key=CANARY, deps=[SCORES, LABELS], kinds={"mlflow"}, **whole)
    def churn_canary(
        lakehouse: LakehouseResource, mlflow: MlflowResource, alert_webhook: AlertWebhook
    ) -> dg.MaterializeResult:
        """Promote or archive the challenger once enough canary labels have matured."""
        registry = mlflow.registry()
        result = steps.judge_canary(lakehouse.store(), registry, policy, alert_webhook.url)
        if result is None:
            return dg.MaterializeResult(metadata={"verdict": "no challenger"})
        return dg.MaterializeResult(
            metadata={
                "verdict": str(result.verdict),
                "reason": result.reason,
                "challenger": result.challenger,
                "champion": result.champion,
                "matured_labels": result.labels,
            }
        )

    @dg.asset(
        key=DRIFT,
        deps=[SNAPSHOTS, SCORES],
        kinds={"delta", "scipy"},
        check_specs=[_spec(CheckName.FEATURE_DRIFT, DRIFT)],
        **writes(DRIFT),
        **daily,
    )
    @retry_transient_only
    def churn_drift(
        context: dg.AssetExecutionContext,
        lakehouse: LakehouseResource,
        mlflow: MlflowResource,
        alert_webhook: AlertWebhook,
    ) -> dg.MaterializeResult:
        """PSI and KS of the day's features and predictions vs the training snapshot."""
        day = _day(context)
        found, written = steps.measure_drift(lakehouse.store(), mlflow.registry(), day, policy)
        worst = max((r.psi for r in found), default=0.0)
        drifted = [r.column for r in found if r.psi > policy.drift.warn_psi]
        if worst > policy.drift.alert_psi and alert_webhook.enabled:
            alert_webhook.send(
                Alert(
                    title=f"Churn model drift on {day}",
                    reason=f"PSI {worst:.3f} above {policy.drift.alert_psi}: {', '.join(drifted)}",
                    assets=("ml/churn_drift",),
                    partition=day.isoformat(),
                    link=alert_webhook.asset_link(DRIFT),
                )
            )
        check = dg.AssetCheckResult(
            check_name=str(CheckName.FEATURE_DRIFT),
            passed=not drifted,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"max PSI {worst:.3f} (warn above {policy.drift.warn_psi})",
            metadata={r.column: round(r.psi, 4) for r in found},
        )
        meta = {
            **written.as_metadata(),
            "max_psi": round(worst, 4),
            "report": dg.MetadataValue.md(report(found, policy.drift.warn_psi)),
        }
        return dg.MaterializeResult(metadata=meta, check_results=[check])

    @dg.asset_check(
        asset=MODEL,
        name=str(CheckName.DRIFT_PERSISTENT),
        description=CHECKS[CheckName.DRIFT_PERSISTENT].description,
        additional_deps=[DRIFT],
        automation_condition=dg.AutomationCondition.any_deps_updated(),
    )
    def drift_persistent(lakehouse: LakehouseResource) -> dg.AssetCheckResult:
        """Fails when the last ``persist_days`` scored days all drifted: retrain."""
        from datetime import date

        history = steps.drift_history(lakehouse.store(), date.max, policy.drift.warn_psi)
        days = policy.drift.persist_days
        persisted = len(history) >= days and all(history[-days:])
        return dg.AssetCheckResult(
            passed=not persisted,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"last {min(days, len(history))} scored days drifted: "
            f"{sum(history[-days:])}",
        )

    return [
        churn_feature_snapshots,
        churn_labels,
        churn_model,
        churn_scores,
        churn_canary,
        churn_drift,
        drift_persistent,
    ]
