"""PublicationGate: Outputs only for published marts, checks after them, blocked marts said why."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from lakehouse.gold.publication import PublicationGate, describe_test
from lakehouse.lake import DeltaStore
from lakehouse.lake.wap import staging_key

CLV = dg.AssetKey(["gold", "customer_lifetime_value"])
DAILY = dg.AssetKey(["gold", "orders_daily"])
TEST_ID = "test.lakehouse.non_negative_customer_lifetime_value_lifetime_revenue.abc"
MANIFEST = {
    "nodes": {
        TEST_ID: {
            "name": "non_negative_customer_lifetime_value_lifetime_revenue",
            "column_name": "lifetime_revenue",
            "test_metadata": {
                "name": "non_negative",
                "kwargs": {"column_name": "lifetime_revenue", "model": "{{ ref(...) }}"},
            },
        }
    }
}


def check(key: dg.AssetKey, name: str, passed: bool, **kwargs: object) -> dg.AssetCheckResult:
    metadata = {"unique_id": TEST_ID, "dagster_dbt/failed_row_count": 0 if passed else 490}
    return dg.AssetCheckResult(
        asset_key=key, check_name=name, passed=passed, metadata=metadata, **kwargs
    )


@pytest.fixture
def store(tmp_path: Path) -> DeltaStore:
    store = DeltaStore(str(tmp_path))
    for key in (CLV, DAILY):
        store.overwrite(key.path, pa.table({"x": [1]}))
    return store


def version(store: DeltaStore, key: dg.AssetKey) -> dict[str, object]:
    return {"delta_version": store.table(key.path).version()}


def gate(store: DeltaStore) -> PublicationGate:
    return PublicationGate(store, MANIFEST, version)


def test_describe_test_names_the_test_and_its_column() -> None:
    assert describe_test(MANIFEST, TEST_ID) == "non_negative(lifetime_revenue)"
    assert describe_test(MANIFEST, "test.unknown") == "dbt test"


def test_a_published_mart_gets_its_output_before_its_checks(store: DeltaStore) -> None:
    g = gate(store)
    passthrough = dg.AssetObservation(asset_key=DAILY)
    assert list(g.receive(check(DAILY, "not_null", True))) == []
    assert list(g.receive(dg.Output(None, output_name="daily"), DAILY)) == []
    assert list(g.receive(passthrough)) == [passthrough]
    events = list(g.finish())
    assert [type(e) for e in events] == [dg.Output, dg.AssetCheckResult]
    assert events[0].metadata["delta_version"].value == 0
    assert events[1].description is None
    assert g.blocked() == [] and g.unpublished() == []


def test_a_blocked_mart_gets_no_output_and_its_failed_check_says_why(store: DeltaStore) -> None:
    store.overwrite(staging_key(CLV.path), pa.table({"x": [-1]}))
    g = gate(store)
    list(g.receive(dg.Output(None, output_name="clv"), CLV))
    list(g.receive(check(CLV, "non_negative_clv", False)))
    list(g.receive(check(CLV, "warned", False, severity=dg.AssetCheckSeverity.WARN)))
    events = list(g.finish())
    assert [type(e) for e in events] == [dg.AssetCheckResult, dg.AssetCheckResult]
    failed = events[0]
    assert failed.description == (
        "490 row(s) fail non_negative(lifetime_revenue): gold/customer_lifetime_value was not "
        "published (consumers still read Delta version 0); the candidate is kept at "
        f"{store.uri(staging_key(CLV.path))}"
    )
    assert "warning" in events[1].description
    [blocked] = g.blocked()
    assert (blocked.key, blocked.tests) == (CLV, ("non_negative_clv",))


def test_a_mart_whose_candidate_was_not_published_gets_no_output(store: DeltaStore) -> None:
    store.overwrite(staging_key(DAILY.path), pa.table({"x": [2]}))
    g = gate(store)
    list(g.receive(dg.Output(None, output_name="daily"), DAILY))
    assert list(g.finish()) == []
    assert g.blocked() == [] and g.unpublished() == [DAILY]
