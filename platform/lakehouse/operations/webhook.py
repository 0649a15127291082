"""Alerts as Slack-compatible webhook messages (``text`` + ``blocks``), posted with the stdlib."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field

_MAX_SECTION = 2900  # Slack rejects section texts over 3000 characters


class WebhookError(RuntimeError):
    """The webhook did not accept an alert; the message names the endpoint and the status."""


@dataclass(frozen=True)
class Alert:
    """Something an operator must look at: what, which asset and partition, why, and where."""

    title: str
    reason: str
    assets: tuple[str, ...] = ()
    partition: str | None = None
    link: str | None = None
    link_text: str = "Open in Dagster"
    details: tuple[str, ...] = field(default_factory=tuple)


def _clip(text: str, limit: int = _MAX_SECTION) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_payload(alert: Alert) -> dict[str, object]:
    """The message: a plain ``text`` fallback and ``blocks`` for Slack-style rendering."""
    assets = ", ".join(alert.assets) or "-"
    partition = alert.partition or "-"
    first_line = alert.reason.strip().splitlines()[0] if alert.reason.strip() else ""
    text = f"{alert.title} | asset: {assets} | partition: {partition} | {first_line}"
    if alert.link:
        text += f" | {alert.link}"
    blocks: list[dict[str, object]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(alert.title, 150)}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": _clip(f"*Asset*\n{assets}", 2000)},
                {"type": "mrkdwn", "text": f"*Partition*\n{partition}"},
            ],
        },
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _clip(f"*Reason*\n```{alert.reason.strip()}```")},
        },
    ]
    if alert.details:
        details = "\n".join(f"• {d}" for d in alert.details)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(details)}})
    if alert.link:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"<{alert.link}|{alert.link_text}>"},
            }
        )
    return {"text": _clip(text), "blocks": blocks}


def post_alert(url: str, alert: Alert, timeout: float = 10.0) -> int:
    """POST ``alert`` as JSON to ``url``; the HTTP status.

    Raises:
        WebhookError: the endpoint is unreachable or answered with a non-2xx status.
    """
    body = json.dumps(slack_payload(alert)).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    endpoint = url.split("?", 1)[0].rsplit("/", 1)[0]  # never log the secret path part
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        raise WebhookError(
            f"alert webhook at {endpoint}/… answered {exc.code} {exc.reason}: check "
            "LAKEHOUSE_ALERT_WEBHOOK_URL"
        ) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise WebhookError(
            f"alert webhook at {endpoint}/… unreachable ({exc}): check LAKEHOUSE_ALERT_WEBHOOK_URL "
            "and the network"
        ) from None
