"""The model lifecycle's audit trail: one row per decision in the Delta table
``ml/model_events`` (gate, promotion, archive, rollback), announced through the alert webhook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa

from lakehouse.lake import DeltaStore
from lakehouse.ml.config import MODEL_NAME
from lakehouse.operations.webhook import Alert, post_alert

EVENTS_KEY = ("ml", "model_events")
EVENT_SCHEMA = pa.schema(
    [
        ("at", pa.timestamp("us", tz="UTC")),
        ("model", pa.string()),
        ("version", pa.string()),
        ("action", pa.string()),
        ("previous_champion", pa.string()),
        ("actor", pa.string()),
        ("reason", pa.string()),
    ]
)


@dataclass(frozen=True)
class ModelEvent:
    """A lifecycle decision: what happened to which version, who did it and why."""

    version: str
    action: str
    reason: str
    actor: str
    previous_champion: str | None = None


def record(store: DeltaStore, event: ModelEvent, webhook_url: str = "") -> None:
    """Append ``event`` to ``ml/model_events``; post it to ``webhook_url`` when one is set."""
    row = {
        "at": [datetime.now(UTC)],
        "model": [MODEL_NAME],
        "version": [event.version],
        "action": [event.action],
        "previous_champion": [event.previous_champion],
        "actor": [event.actor],
        "reason": [event.reason],
    }
    store.append(list(EVENTS_KEY), pa.table(row, schema=EVENT_SCHEMA))
    if webhook_url:
        title = f"Model {MODEL_NAME} v{event.version}: {event.action}"
        post_alert(webhook_url, Alert(title=title, reason=event.reason, assets=("ml/churn_model",)))


def events(store: DeltaStore) -> pa.Table:
    """Every recorded event, oldest first (empty before the first)."""
    if not store.exists(list(EVENTS_KEY)):
        return EVENT_SCHEMA.empty_table()
    # use_threads=False: a threaded scan through deltalake's filesystem can abort the
    # interpreter at exit (`lakehouse model status` reads nothing else).
    return store.dataset(list(EVENTS_KEY)).to_table(use_threads=False).sort_by("at")
