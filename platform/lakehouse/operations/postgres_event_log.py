"""Production's event log: Dagster's PostgreSQL event log whose pool claims never wait for a
slot that is already free (:mod:`~lakehouse.operations.slot_claims`).

``infra/dagster/dagster.prod.yaml`` names it as ``event_log_storage``; the run and schedule
storages stay dagster-postgres' own, on the same database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster._serdes import ConfigurableClassData
from dagster_postgres.event_log import PostgresEventLogStorage
from dagster_postgres.utils import get_token_provider_from_config, pg_url_from_config

from lakehouse.operations.slot_claims import AssignsFreeSlotsOnClaim


class LakehousePostgresEventLogStorage(AssignsFreeSlotsOnClaim, PostgresEventLogStorage):
    """``PostgresEventLogStorage`` with :class:`AssignsFreeSlotsOnClaim`'s claims; configured
    exactly like it (``postgres_db`` or ``postgres_url``)."""

    @classmethod
    def from_config_value(
        cls, inst_data: ConfigurableClassData | None, config_value: Mapping[str, Any]
    ) -> LakehousePostgresEventLogStorage:
        """The storage for ``config_value`` (dagster-postgres' own reading of it)."""
        return cls(
            inst_data=inst_data,
            postgres_url=pg_url_from_config(config_value),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            token_provider=get_token_provider_from_config(config_value),
        )
