"""The ML definitions: assets, checks and the MLflow resource, for ``definitions.py``."""

import dagster as dg

from lakehouse.ml.assets import build_ml_assets
from lakehouse.ml.config import DEFAULT_POLICY, ModelPolicy
from lakehouse.ml.resource import MlflowResource
from lakehouse.settings import Settings


def build_ml_defs(
    settings: Settings, partitions: dg.PartitionsDefinition, policy: ModelPolicy = DEFAULT_POLICY
) -> dg.Definitions:
    """The churn model's lifecycle as assets; the ``lakehouse`` and ``alert_webhook``
    resources come from the main definitions."""
    found = build_ml_assets(partitions, policy)
    checks = [c for c in found if isinstance(c, dg.AssetChecksDefinition)]
    assets = [a for a in found if not isinstance(a, dg.AssetChecksDefinition)]
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        resources={"mlflow": MlflowResource.from_settings(settings)},
    )
