"""The lakehouse resource: where tables and landing files live, and the PII key."""

from __future__ import annotations

import dagster as dg

from lakehouse.lake import DeltaStore
from lakehouse.settings import DEV_PII_KEY, Settings, load_settings


class LakehouseResource(dg.ConfigurableResource):
    """Access to the Delta tables under ``root`` and the landing zone under ``landing``.

    Storage credentials never enter the resource config (the UI shows it); they are read from
    the environment by :func:`lakehouse.settings.load_settings` when a run needs them.
    """

    root: str
    landing: str
    pii_key: str

    @property
    def storage_options(self) -> dict[str, str]:
        """deltalake / pyarrow storage options (S3 endpoint, region, credentials)."""
        return dict(load_settings().storage_options)

    def store(self) -> DeltaStore:
        """A Delta store rooted at ``root``."""
        return DeltaStore(self.root, self.storage_options)

    @classmethod
    def from_settings(cls, settings: Settings) -> LakehouseResource:
        """The resource for an environment; the PII key comes from ``LAKEHOUSE_PII_KEY``."""
        pii_key = dg.EnvVar("LAKEHOUSE_PII_KEY") if settings.pii_key_from_env else DEV_PII_KEY
        return cls(root=settings.root, landing=settings.landing, pii_key=pii_key)
