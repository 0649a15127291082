"""Alerts to a Slack-compatible webhook: failed runs (with the blocking checks that stopped
them) and missed freshness SLAs, each with asset, partition, reason and a link to the UI.

The webhook URL is a secret: it reaches the resource through ``dg.EnvVar`` and is never shown
in the UI. Without ``LAKEHOUSE_ALERT_WEBHOOK_URL`` the sensors run and skip: alerts are off.
"""

import json
from collections.abc import Mapping, Sequence

import dagster as dg
from dagster._core.events import DagsterEventType

from lakehouse.operations.failures import failure_text
from lakehouse.operations.webhook import Alert, post_alert
from lakehouse.settings import Settings

RUN_FAILURE_SENSOR = "alert_on_run_failure"
FRESHNESS_SENSOR = "alert_on_missed_freshness"


class AlertWebhook(dg.ConfigurableResource):
    """Where alerts go (``url``, empty = off) and the UI base URL for links."""

    url: str = ""
    dagster_url: str = "http://127.0.0.1:3000"

    @property
    def enabled(self) -> bool:
        """True when a webhook URL is configured."""
        return bool(self.url)

    def run_link(self, run_id: str) -> str:
        """The run's page in the Dagster UI."""
        return f"{self.dagster_url.rstrip('/')}/runs/{run_id}"

    def asset_link(self, asset_key: dg.AssetKey) -> str:
        """The asset's page in the Dagster UI."""
        return f"{self.dagster_url.rstrip('/')}/assets/{'/'.join(asset_key.path)}"

    def send(self, alert: Alert) -> None:
        """Post ``alert``; raises ``WebhookError`` so a failed delivery fails the sensor tick."""
        post_alert(self.url, alert)

    @classmethod
    def from_settings(cls, settings: Settings) -> "AlertWebhook":
        """The secret URL via ``dg.EnvVar`` when set, else alerts off."""
        ops = settings.operations
        url = dg.EnvVar("LAKEHOUSE_ALERT_WEBHOOK_URL") if ops.alert_webhook_from_env else ""
        return cls(url=url, dagster_url=ops.dagster_url)


def run_failure_alert(
    instance: dg.DagsterInstance, run: dg.DagsterRun, message: str, link: str
) -> Alert:
    """What failed in ``run``: assets not materialised, failed blocking checks, step errors."""
    records = instance.get_records_for_run(run.run_id).records
    planned: set[str] = set()
    done: set[str] = set()
    details: list[str] = []
    reasons: list[str] = []
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
            if event.asset_key is not None:
                planned.add(event.asset_key.to_user_string())
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            if event.asset_key is not None:
                done.add(event.asset_key.to_user_string())
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            check = event.asset_check_evaluation_data
            if not check.passed and (
                check.blocking or check.severity == dg.AssetCheckSeverity.ERROR
            ):
                details.append(
                    f"check {check.asset_key.to_user_string()}:{check.check_name} failed"
                    + (f": {check.description}" if check.description else "")
                )
        elif event.event_type == DagsterEventType.STEP_FAILURE:
            reasons.append(f"{event.step_key}: {failure_text(event.step_failure_data)}")
    failed_assets = tuple(sorted(planned - done))
    return Alert(
        title=f"Run failed: {run.job_name}",
        reason="\n".join(reasons) or message or "the run failed",
        assets=failed_assets,
        partition=run.tags.get("dagster/partition"),
        link=link,
        link_text=f"Open run {run.run_id[:8]} in Dagster",
        details=tuple(details),
    )


def build_run_failure_sensor(settings: Settings) -> dg.SensorDefinition:
    """Posts every failed run of this code location to the webhook."""

    @dg.run_failure_sensor(
        name=RUN_FAILURE_SENSOR,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Posts failed runs (assets, partition, reason, failed blocking checks, link) "
        "to LAKEHOUSE_ALERT_WEBHOOK_URL; off when it is unset.",
    )
    def alert_on_run_failure(context: dg.RunFailureSensorContext, alert_webhook: AlertWebhook):
        if not alert_webhook.enabled:
            context.log.info("LAKEHOUSE_ALERT_WEBHOOK_URL is unset: alerts are off")
            return
        run = context.dagster_run
        alert = run_failure_alert(
            context.instance,
            run,
            context.failure_event.message or "",
            alert_webhook.run_link(run.run_id),
        )
        alert_webhook.send(alert)
        context.log.info(f"alerted: run {run.run_id} failed")

    return alert_on_run_failure


def freshness_alerts(
    instance: dg.DagsterInstance,
    keys: Sequence[dg.AssetKey],
    previous: Mapping[str, str],
    webhook: AlertWebhook,
) -> tuple[list[Alert], dict[str, str]]:
    """Assets whose freshness state turned FAIL since ``previous`` (key -> state), and the
    states now. Freshness states are written by the daemon from the assets' freshness policies.
    """
    records = instance.event_log_storage.get_freshness_state_records(list(keys))
    states: dict[str, str] = {}
    alerts: list[Alert] = []
    for key, record in sorted(records.items(), key=lambda item: item[0].to_user_string()):
        name = key.to_user_string()
        state = str(record.freshness_state.value)
        states[name] = state
        if state == "FAIL" and previous.get(name) != "FAIL":
            since = record.updated_at.isoformat(timespec="seconds")
            alerts.append(
                Alert(
                    title=f"Missed freshness SLA: {name}",
                    reason=f"{name} is staler than its freshness policy allows (since {since})",
                    assets=(name,),
                    link=webhook.asset_link(key),
                    link_text=f"Open {name} in Dagster",
                )
            )
    return alerts, states


def build_freshness_sensor(settings: Settings) -> dg.SensorDefinition:
    """Posts assets whose freshness policy starts failing to the webhook."""

    @dg.sensor(
        name=FRESHNESS_SENSOR,
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=60,
        description="Posts missed freshness SLAs (an asset's freshness policy turning FAIL) "
        "to LAKEHOUSE_ALERT_WEBHOOK_URL; off when it is unset.",
    )
    def alert_on_missed_freshness(
        context: dg.SensorEvaluationContext, alert_webhook: AlertWebhook
    ) -> dg.SkipReason:
        graph = context.repository_def.asset_graph if context.repository_def else None
        keys = [
            n.key
            for n in (graph.asset_nodes if graph else [])
            if n.freshness_policy_or_from_metadata
        ]
        previous = json.loads(context.cursor) if context.cursor else {}
        alerts, states = freshness_alerts(context.instance, keys, previous, alert_webhook)
        context.update_cursor(json.dumps(states, sort_keys=True))
        if not alert_webhook.enabled:
            return dg.SkipReason("LAKEHOUSE_ALERT_WEBHOOK_URL is unset: alerts are off")
        for alert in alerts:
            alert_webhook.send(alert)
        failing = sorted(k for k, v in states.items() if v == "FAIL")
        return dg.SkipReason(
            f"{len(alerts)} alert(s) sent; failing: {', '.join(failing) or 'none'}"
        )

    return alert_on_missed_freshness
