"""The ``ops`` tables: their asset keys and Arrow schemas (one place for both)."""

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

RUNS = ("ops", "runs")
ASSET_EVENTS = ("ops", "asset_events")
DORA_DAILY = ("ops", "dora_daily")
SLA_DAILY = ("ops", "sla_daily")
DURATIONS = ("ops", "durations")
COST_DAILY = ("ops", "cost_daily")
STORAGE = ("ops", "storage")

RUNS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("job_name", pa.string()),
        ("status", pa.string()),  # SUCCESS | FAILURE | CANCELED
        ("code_version", pa.string()),
        ("committed_at", TS),
        ("version_from_tag", pa.bool_()),  # False: attributed from git history at collection
        ("operation", pa.string()),  # e.g. rollback
        ("partition", pa.string()),
        ("start_time", TS),
        ("end_time", TS),
        ("updated_at", TS),  # the collection cursor
    ]
)

EVENTS_SCHEMA = pa.schema(
    [
        ("run_id", pa.string()),
        ("seq", pa.int64()),  # the event's storage id (per run on sharded SQLite storage)
        ("kind", pa.string()),  # materialization | failure | check
        ("asset", pa.string()),
        ("partition", pa.string()),
        ("timestamp", TS),
        ("step_key", pa.string()),
        ("step_seconds", pa.float64()),  # the step's wall time, shared by its assets
        ("rows", pa.int64()),
        ("bytes_added", pa.int64()),
        ("files_added", pa.int64()),
        ("check_name", pa.string()),
        ("passed", pa.bool_()),
        ("blocking", pa.bool_()),
    ]
)

DORA_SCHEMA = pa.schema(
    [
        ("day", pa.date32()),
        ("deployments", pa.int64()),
        ("failed_deployments", pa.int64()),
        ("change_failure_rate", pa.float64()),
        ("lead_time_median_hours", pa.float64()),
        ("lead_time_p90_hours", pa.float64()),
        ("restores", pa.int64()),
        ("time_to_restore_median_minutes", pa.float64()),
    ]
)

SLA_SCHEMA = pa.schema(
    [
        ("asset", pa.string()),
        ("day", pa.date32()),
        ("deadline", TS),
        ("landed_at", TS),
        ("status", pa.string()),  # met | late | failed | blocked | missing
        ("met", pa.bool_()),
        ("margin_minutes", pa.float64()),  # deadline - landed_at; negative when late
        ("downtime_minutes", pa.float64()),
    ]
)

DURATIONS_SCHEMA = pa.schema(
    [
        ("asset", pa.string()),
        ("partition", pa.string()),
        ("run_id", pa.string()),
        ("timestamp", TS),
        ("day", pa.date32()),
        ("seconds", pa.float64()),
        ("trailing_median_seconds", pa.float64()),
        ("factor", pa.float64()),
        ("rows", pa.int64()),
        ("rows_factor", pa.float64()),
        ("regression", pa.bool_()),
        ("likely_cause", pa.string()),
    ]
)

COST_SCHEMA = pa.schema(
    [
        ("asset", pa.string()),
        ("day", pa.date32()),
        ("runs", pa.int64()),
        ("cpu_seconds", pa.float64()),
        ("bytes_added", pa.int64()),
        ("files_added", pa.int64()),
        ("put_requests", pa.int64()),
        ("get_requests", pa.int64()),
        ("compute_usd", pa.float64()),
        ("request_usd", pa.float64()),
        ("total_usd", pa.float64()),
    ]
)

STORAGE_SCHEMA = pa.schema(
    [
        ("table", pa.string()),
        ("version", pa.int64()),
        ("versions", pa.int64()),
        ("current_files", pa.int64()),
        ("current_bytes", pa.int64()),
        ("all_files", pa.int64()),
        ("all_bytes", pa.int64()),
        ("reclaimable_bytes", pa.int64()),  # files the current version no longer references
        ("storage_usd_month", pa.float64()),
    ]
)


def empty(schema: pa.Schema) -> pa.Table:
    """An empty table of ``schema``."""
    return schema.empty_table()
