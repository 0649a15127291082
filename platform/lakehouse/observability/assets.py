"""The ``ops`` group: the platform's own health, as Delta tables under ``<root>/ops/``.

``ops/runs`` and ``ops/asset_events`` are collected incrementally from the Dagster instance;
the other tables are recomputed from them on each materialisation (they are small).
"""

from datetime import UTC, datetime
from typing import Any

import dagster as dg
import pyarrow as pa

from lakehouse.lake import DeltaStore, WriteResult
from lakehouse.lake.catalog import discover_tables
from lakehouse.lake.metadata import write_metadata
from lakehouse.lake.resource import LakehouseResource
from lakehouse.observability.collect import event_rows, finished_runs, run_rows
from lakehouse.observability.cost import cost_daily, load_prices, storage_rows, table_storage
from lakehouse.observability.dora import dora_daily
from lakehouse.observability.durations import durations, regression_alert
from lakehouse.observability.sla import sla_daily, sla_targets
from lakehouse.observability.tables import (
    ASSET_EVENTS,
    COST_DAILY,
    DORA_DAILY,
    DURATIONS,
    DURATIONS_SCHEMA,
    RUNS,
    RUNS_SCHEMA,
    SLA_DAILY,
    STORAGE,
)
from lakehouse.observability.versions import recent_commits
from lakehouse.operations.alerts import AlertWebhook
from lakehouse.operations.webhook import WebhookError
from lakehouse.settings import project_dir
from lakehouse.sources import load_sources

OPS_GROUP = "ops"
REGRESSION_CHECK = "no_new_runtime_regression"
_KINDS = {"delta", "dagster"}


class SlaConfig(dg.Config):
    """``as_of``: evaluate deadlines up to this ISO time instead of now (replaying history)."""

    as_of: str | None = None


def _spec(key: tuple[str, str], description: str, deps: list[tuple[str, str]]) -> dg.AssetSpec:
    return dg.AssetSpec(
        list(key),
        group_name=OPS_GROUP,
        kinds=_KINDS,
        description=description,
        deps=[dg.AssetKey(list(d)) for d in deps],
    )


def _read(store: DeltaStore, key: tuple[str, str], schema: pa.Schema) -> pa.Table:
    return store.read(list(key)) if store.exists(list(key)) else schema.empty_table()


def _result(
    key: tuple[str, str], result: WriteResult, table: pa.Table, started: datetime, **extra: object
) -> dg.MaterializeResult:
    metadata: dict[str, Any] = {**write_metadata(result, table.schema, started), **extra}
    return dg.MaterializeResult(asset_key=dg.AssetKey(list(key)), metadata=metadata)


@dg.multi_asset(
    name="ops_runs",
    specs=[
        _spec(RUNS, "Finished Dagster runs: job, status, code version, partition, times.", []),
        _spec(
            ASSET_EVENTS,
            "Materialisations, failed assets and check results of those runs, "
            "with step times, rows, bytes and files.",
            [],
        ),
    ],
)
def ops_runs(context: dg.AssetExecutionContext, lakehouse: LakehouseResource):
    """Collect runs finished since the newest one already in ``ops/runs``, and their events."""
    started = datetime.now(UTC)
    store = lakehouse.store()
    known = _read(store, RUNS, RUNS_SCHEMA)
    cursor = max(known["updated_at"].to_pylist()) if known.num_rows else None
    records = finished_runs(context.instance, cursor)
    untagged = any("lakehouse/code_version" not in r.dagster_run.tags for r in records)
    runs = run_rows(records, recent_commits(project_dir()) if untagged else ())
    events = event_rows(context.instance, records)
    new_cursor = max(runs["updated_at"].to_pylist()) if runs.num_rows else cursor
    note = {"cursor": new_cursor.isoformat() if new_cursor else "", "new_runs": runs.num_rows}
    if store.exists(list(RUNS)):
        written = store.merge(list(RUNS), runs, keys=["run_id"])
    else:
        written = store.overwrite(list(RUNS), runs)
    yield _result(RUNS, written, runs, started, **note)
    if store.exists(list(ASSET_EVENTS)):
        keys = ["run_id", "seq", "kind", "asset"]
        written = store.merge(list(ASSET_EVENTS), events, keys=keys)
    else:
        written = store.overwrite(list(ASSET_EVENTS), events)
    yield _result(ASSET_EVENTS, written, events, started, new_events=events.num_rows)


@dg.asset(
    key=list(DORA_DAILY),
    group_name=OPS_GROUP,
    kinds=_KINDS,
    deps=[list(RUNS), list(ASSET_EVENTS)],
    description="DORA per day: deployments, change failure rate, lead time, restores.",
)
def ops_dora_daily(lakehouse: LakehouseResource) -> dg.MaterializeResult:
    """Deployment frequency, lead time, change failure rate and time to restore per day."""
    started, store = datetime.now(UTC), lakehouse.store()
    table = dora_daily(store.read(list(RUNS)), store.read(list(ASSET_EVENTS)))
    return _result(DORA_DAILY, store.overwrite(list(DORA_DAILY), table), table, started)


@dg.asset(
    key=list(SLA_DAILY),
    group_name=OPS_GROUP,
    kinds=_KINDS,
    deps=[list(ASSET_EVENTS)],
    description="Freshness SLA per silver asset and day: met, margin, data downtime.",
)
def ops_sla_daily(config: SlaConfig, lakehouse: LakehouseResource) -> dg.MaterializeResult:
    """Each silver partition against its source's freshness deadline."""
    started, store = datetime.now(UTC), lakehouse.store()
    as_of = datetime.fromisoformat(config.as_of).astimezone(UTC) if config.as_of else started
    targets = sla_targets(load_sources())
    table = sla_daily(store.read(list(ASSET_EVENTS)), targets, as_of)
    return _result(SLA_DAILY, store.overwrite(list(SLA_DAILY), table), table, started)


@dg.asset(
    key=list(DURATIONS),
    group_name=OPS_GROUP,
    kinds=_KINDS,
    deps=[list(ASSET_EVENTS)],
    description="Step time of every materialisation against its asset's trailing median.",
    check_specs=[
        dg.AssetCheckSpec(
            REGRESSION_CHECK,
            asset=list(DURATIONS),
            blocking=False,
            description="WARN: no materialisation collected since the last check ran more than 3x "
            "its asset's trailing median (and over a minute).",
        )
    ],
)
def ops_durations(
    context: dg.AssetExecutionContext, lakehouse: LakehouseResource, alert_webhook: AlertWebhook
) -> dg.MaterializeResult:
    """Durations and regressions; new regressions fail the WARN check and go to the webhook."""
    started, store = datetime.now(UTC), lakehouse.store()
    before = _read(store, DURATIONS, DURATIONS_SCHEMA)
    seen = set(zip(before["run_id"].to_pylist(), before["asset"].to_pylist(), strict=True))
    table = durations(store.read(list(ASSET_EVENTS)))
    new = [
        r
        for r in table.filter(table["regression"]).to_pylist()
        if (r["run_id"], r["asset"]) not in seen
    ]
    for row in new:
        alert = regression_alert(row, alert_webhook.run_link(row["run_id"]))
        context.log.warning(alert.reason)
        if alert_webhook.enabled:
            try:
                alert_webhook.send(alert)
            except WebhookError as exc:
                context.log.error(str(exc))
    written = store.overwrite(list(DURATIONS), table)
    result = _result(DURATIONS, written, table, started, new_regressions=len(new))
    check = dg.AssetCheckResult(
        check_name=REGRESSION_CHECK,
        passed=not new,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(regression_alert(r).reason for r in new) or None,
        metadata={
            "regressions": len(new),
            "assets": ", ".join(sorted({r["asset"] for r in new})) or "-",
        },
    )
    return dg.MaterializeResult(metadata=result.metadata, check_results=[check])


@dg.asset(
    key=list(COST_DAILY),
    group_name=OPS_GROUP,
    kinds=_KINDS,
    deps=[list(ASSET_EVENTS)],
    description="Cost per asset and day: CPU-seconds, bytes, files, requests, dollars.",
)
def ops_cost_daily(lakehouse: LakehouseResource) -> dg.MaterializeResult:
    """Compute and request dollars per asset and day, priced from prices.yaml."""
    started, store, prices = datetime.now(UTC), lakehouse.store(), load_prices()
    table = cost_daily(store.read(list(ASSET_EVENTS)), prices)
    return _result(
        COST_DAILY,
        store.overwrite(list(COST_DAILY), table),
        table,
        started,
        prices_region=prices.region,
        prices_read_on=prices.read_on,
    )


@dg.asset(
    key=list(STORAGE),
    group_name=OPS_GROUP,
    kinds=_KINDS,
    deps=[list(COST_DAILY), list(DURATIONS), list(SLA_DAILY), list(DORA_DAILY)],
    description="Bytes per Delta table: current version, time-travel versions, and what "
    "vacuum would reclaim.",
)
def ops_storage(lakehouse: LakehouseResource) -> dg.MaterializeResult:
    """Storage of every lakehouse table, the ops tables included."""
    started, store, prices = datetime.now(UTC), lakehouse.store(), load_prices()
    tables = discover_tables(store.root, store.storage_options)
    for key in (RUNS, ASSET_EVENTS, DORA_DAILY, SLA_DAILY, DURATIONS, COST_DAILY):
        if store.exists(list(key)):
            tables["/".join(key)] = store.uri(list(key))
    rows = [
        table_storage(name.replace(".", "/"), uri, prices, store.storage_options)
        for name, uri in sorted(tables.items())
    ]
    table = storage_rows(rows)
    return _result(STORAGE, store.overwrite(list(STORAGE), table), table, started)


OPS_ASSETS = [ops_runs, ops_dora_daily, ops_sla_daily, ops_durations, ops_cost_daily, ops_storage]
