"""The real PostgreSQL server of the PostgreSQL tests, for the PII scan of its event log."""

from __future__ import annotations

from ..postgres.conftest import Postgres, postgres

__all__ = ["Postgres", "postgres"]
