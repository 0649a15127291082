"""Alerts leave as Slack-compatible JSON (text + blocks) in a real HTTP POST."""

from __future__ import annotations

import pytest

from lakehouse.operations.webhook import Alert, WebhookError, post_alert, slack_payload

from .conftest import Receiver

ALERT = Alert(
    title="Run failed: daily_lakehouse",
    reason="silver__orders: silver/orders blocked, nothing published",
    assets=("silver/orders",),
    partition="2026-01-02",
    link="http://127.0.0.1:3000/runs/abc",
    details=("check silver/orders:unique_keys failed",),
)


def test_the_payload_names_asset_partition_reason_and_link() -> None:
    payload = slack_payload(ALERT)
    assert "silver/orders" in payload["text"] and "2026-01-02" in payload["text"]
    rendered = str(payload["blocks"])
    for expected in ("silver/orders", "2026-01-02", "blocked", "unique_keys", "/runs/abc"):
        assert expected in rendered


def test_long_reasons_are_clipped_to_what_slack_accepts() -> None:
    payload = slack_payload(Alert(title="t", reason="x" * 10_000))
    sections = [
        b["text"]["text"] for b in payload["blocks"] if b["type"] == "section" and "text" in b
    ]
    assert all(len(text) <= 3000 for text in sections)


def test_an_alert_is_posted_to_the_receiver(receiver: Receiver) -> None:
    assert post_alert(receiver.url, ALERT) == 200
    assert receiver.posts == [slack_payload(ALERT)]
    assert receiver.paths == ["/services/T000/B000/secret"]


def test_a_refused_alert_raises_without_leaking_the_secret_path(receiver: Receiver) -> None:
    receiver.status = 403
    with pytest.raises(WebhookError, match="answered 403") as error:
        post_alert(receiver.url, ALERT)
    assert "secret" not in str(error.value)


def test_an_unreachable_webhook_says_what_to_check() -> None:
    with pytest.raises(WebhookError, match="LAKEHOUSE_ALERT_WEBHOOK_URL"):
        post_alert("http://127.0.0.1:9/hook", ALERT, timeout=2)
