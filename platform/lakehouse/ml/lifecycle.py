"""Moves between registry aliases, each recorded in the audit trail: a gated version becomes
challenger (or champion when there is none), the canary promotes or archives it, and people
promote or roll back by hand."""

from __future__ import annotations

from collections.abc import Sequence

from lakehouse.lake import DeltaStore
from lakehouse.ml.audit import ModelEvent, events, record
from lakehouse.ml.canary import CanaryResult, Verdict
from lakehouse.ml.config import CHALLENGER, CHAMPION
from lakehouse.ml.gate import GateOutcome, passed
from lakehouse.ml.registry import Registry

STATUS = "lifecycle.status"


class LifecycleError(ValueError):
    """A promotion or rollback that cannot be made; the message says why and what to do."""


def _champion_version(registry: Registry) -> str | None:
    champion = registry.champion()
    return champion.version if champion else None


def accept(
    registry: Registry,
    store: DeltaStore,
    version: str,
    outcomes: Sequence[GateOutcome],
    webhook_url: str = "",
) -> str:
    """Apply the gate to a new ``version``: its status (champion, challenger or rejected)."""
    failed = [f"{o.check}: {o.reason}" for o in outcomes if not o.passed]
    champion = _champion_version(registry)
    if not passed(outcomes):
        registry.tag(version, STATUS, "rejected")
        reason = "gate failed: " + "; ".join(failed)
        record(store, ModelEvent(version, "rejected", reason, "gate", champion), webhook_url)
        return "rejected"
    if champion is None:
        registry.set_alias(CHAMPION, version)
        registry.tag(version, STATUS, CHAMPION)
        record(store, ModelEvent(version, "champion", "first model: gate passed", "gate"), "")
        return CHAMPION
    previous = registry.challenger()
    if previous is not None and previous.version != version:
        registry.tag(previous.version, STATUS, "archived")
        reason = f"replaced by v{version} before its canary ended"
        record(store, ModelEvent(previous.version, "archived", reason, "gate", champion), "")
    registry.set_alias(CHALLENGER, version)
    registry.tag(version, STATUS, CHALLENGER)
    reason = "gate passed: canary starts with the next scored day"
    record(store, ModelEvent(version, "challenger", reason, "gate", champion), "")
    return CHALLENGER


def promote(
    registry: Registry, store: DeltaStore, version: str, actor: str, reason: str, webhook: str = ""
) -> None:
    """Make ``version`` the champion; the old champion is kept for rollback."""
    champion = _champion_version(registry)
    if champion == version:
        raise LifecycleError(f"v{version} is already the champion")
    registry.version(version)  # raises when the version does not exist
    registry.set_alias(CHAMPION, version)
    registry.tag(version, STATUS, CHAMPION)
    if champion is not None:
        registry.tag(champion, STATUS, "retired")
    challenger = registry.challenger()
    if challenger is not None and challenger.version == version:
        registry.drop_alias(CHALLENGER)
    record(store, ModelEvent(version, "promoted", reason, actor, champion), webhook)


def archive(
    registry: Registry, store: DeltaStore, version: str, actor: str, reason: str, webhook: str = ""
) -> None:
    """Take the challenger ``version`` off canary; the champion keeps serving everyone."""
    registry.drop_alias(CHALLENGER)
    registry.tag(version, STATUS, "archived")
    record(
        store, ModelEvent(version, "archived", reason, actor, _champion_version(registry)), webhook
    )


def apply_verdict(
    registry: Registry, store: DeltaStore, result: CanaryResult, webhook_url: str = ""
) -> None:
    """Promote or archive the challenger as the canary decided (nothing on ``wait``)."""
    if result.verdict is Verdict.PROMOTE:
        promote(registry, store, result.challenger, "canary", result.reason, webhook_url)
    elif result.verdict is Verdict.ARCHIVE:
        archive(registry, store, result.challenger, "canary", result.reason, webhook_url)


def rollback(
    registry: Registry, store: DeltaStore, actor: str, reason: str, webhook: str = ""
) -> str:
    """Make the champion before the current one champion again; returns its version."""
    current = _champion_version(registry)
    table = events(store)
    promoted = [
        (v, p)
        for v, a, p in zip(
            table.column("version").to_pylist(),
            table.column("action").to_pylist(),
            table.column("previous_champion").to_pylist(),
            strict=True,
        )
        if a == "promoted" and v == current
    ]
    if not promoted or promoted[-1][1] is None:
        raise LifecycleError(
            f"champion v{current} has no earlier champion to roll back to: "
            "promote a version by number instead (lakehouse model promote VERSION)"
        )
    target = promoted[-1][1]
    registry.set_alias(CHAMPION, target)
    registry.tag(target, STATUS, CHAMPION)
    if current is not None:
        registry.tag(current, STATUS, "rolled_back")
    record(store, ModelEvent(target, "rolled_back", reason, actor, current), webhook)
    return target
