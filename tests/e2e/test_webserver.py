"""The Dagster webserver serves the lakehouse's asset graph (landing → bronze → silver)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from lakehouse.sources import load_sources

if TYPE_CHECKING:
    from tests.e2e.conftest import Webserver

QUERY = "{ assetNodes { assetKey { path } dependencyKeys { path } groupName } }"


@pytest.mark.e2e
def test_asset_graph_has_every_layer_and_edge(webserver: Webserver) -> None:
    nodes = webserver.graphql(QUERY)["data"]["assetNodes"]
    deps = {
        "/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]}
        for n in nodes
    }
    groups = {"/".join(n["assetKey"]["path"]): n["groupName"] for n in nodes}
    for spec in load_sources():
        assert deps[f"bronze/{spec.name}"] == {f"landing/{spec.name}"}
        # Silver may also read the silver tables its foreign keys reference.
        assert f"bronze/{spec.name}" in deps[f"silver/{spec.name}"]
        assert groups[f"landing/{spec.name}"] == "landing"
        assert groups[f"bronze/{spec.name}"] == "bronze"
        assert groups[f"silver/{spec.name}"] == "silver"


CHECKS_QUERY = """
{ assetNodeOrError(assetKey: {path: ["silver", "orders"]}) { ... on AssetNode {
    assetChecksOrError { ... on AssetChecks { checks {
      name
      executionForLatestMaterialization { status evaluation { success } }
} } } } } }
"""


@pytest.mark.e2e
def test_checks_that_ran_are_evaluated_for_the_latest_materialisation(
    webserver: Webserver,
) -> None:
    """The lineage node's "Asset checks n / m" counts these: none may be "Not Evaluated"."""
    node = webserver.graphql(CHECKS_QUERY)["data"]["assetNodeOrError"]
    checks = node["assetChecksOrError"]["checks"]
    assert checks
    status = {
        c["name"]: (c["executionForLatestMaterialization"] or {}).get("status") for c in checks
    }
    assert all(s == "SUCCEEDED" for s in status.values()), status
