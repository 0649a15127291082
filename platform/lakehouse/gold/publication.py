"""What a gold dbt build published, told truthfully to Dagster (write-audit-publish).

dbt stages every mart it builds, runs its tests, and publishes on-run-end only the marts whose
error-severity tests passed (``dbt_project/macros/publish_candidates.sql``). dagster-dbt emits a
mart's ``Output`` when its model is built, i.e. when the candidate is staged, before its tests.
``PublicationGate`` holds each mart's Output and check results until dbt ends, then emits the
Output (with the published table's Delta metadata) only for the marts that were published,
each followed by its checks (so they evaluate the new materialisation), and the checks of a
blocked mart with a description of why it was not published (against the version consumers
still read).
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from lakehouse.gold.dbt_tests import describe_test
from lakehouse.lake import DeltaStore
from lakehouse.lake.wap import staging_key

MetadataFn = Callable[[DeltaStore, dg.AssetKey], Mapping[str, Any]]


@dataclass(frozen=True)
class BlockedMart:
    """A mart whose candidate was not published, and the tests that failed on it."""

    key: dg.AssetKey
    tests: tuple[str, ...]
    staging_uri: str

    def __str__(self) -> str:
        return (
            f"{self.key.to_user_string()} (failing: {', '.join(self.tests)}; candidate kept "
            f"at {self.staging_uri})"
        )


def _value(metadata: Mapping[str, Any], name: str) -> Any:
    value = metadata.get(name)
    return getattr(value, "value", value)


@dataclass
class PublicationGate:
    """Holds a dbt build's mart Outputs and checks until it ends; see the module docstring."""

    store: DeltaStore
    manifest: Mapping[str, Any]
    metadata: MetadataFn
    outputs: dict[dg.AssetKey, dg.Output] = field(default_factory=dict)
    checks: dict[dg.AssetKey, list[dg.AssetCheckResult]] = field(default_factory=dict)
    failing: dict[dg.AssetKey, list[str]] = field(default_factory=dict)

    def receive(self, event: object, key: dg.AssetKey | None = None) -> Iterator[object]:
        """Hold a mart's Output (``key``: its asset key) or check result; pass the rest on."""
        if isinstance(event, dg.Output) and key is not None:
            self.outputs[key] = event
        elif isinstance(event, dg.AssetCheckResult) and event.asset_key is not None:
            self.checks.setdefault(event.asset_key, []).append(event)
            if not event.passed and event.severity == dg.AssetCheckSeverity.ERROR:
                self.failing.setdefault(event.asset_key, []).append(event.check_name or "?")
        else:
            yield event

    def _published(self, key: dg.AssetKey) -> bool:
        return key not in self.failing and not self.store.exists(staging_key(key.path))

    def _describe(self, check: dg.AssetCheckResult) -> dg.AssetCheckResult:
        if check.passed or check.asset_key is None:
            return check
        key = check.asset_key
        rows = _value(check.metadata, "dagster_dbt/failed_row_count")
        test = describe_test(self.manifest, _value(check.metadata, "unique_id"))
        failed = f"{rows} row(s) fail" if rows is not None else "failed"
        if check.severity != dg.AssetCheckSeverity.ERROR:
            description = f"{failed} {test} (warning: the mart was published anyway)"
        else:
            version = self.store.table(key.path).version() if self.store.exists(key.path) else None
            kept = f"Delta version {version}" if version is not None else "not created yet"
            description = (
                f"{failed} {test}: {key.to_user_string()} was not published (consumers still "
                f"read {kept}); the candidate is kept at {self.store.uri(staging_key(key.path))}"
            )
        return check._replace(description=description)  # type: ignore[attr-defined]

    def finish(self) -> Iterator[object]:
        """Emit each published mart's Output then its checks, and the other checks."""
        for key, output in self.outputs.items():
            if self._published(key):
                yield output.with_metadata({**output.metadata, **self.metadata(self.store, key)})
        for checks in self.checks.values():
            yield from (self._describe(c) for c in checks)

    def blocked(self) -> list[BlockedMart]:
        """The marts that failed an error-severity test (none were published)."""
        return [
            BlockedMart(key, tuple(tests), self.store.uri(staging_key(key.path)))
            for key, tests in self.failing.items()
        ]

    def unpublished(self) -> list[dg.AssetKey]:
        """Marts built without failing tests that still were not published (dbt errored)."""
        return [k for k in self.outputs if k not in self.failing and not self._published(k)]
