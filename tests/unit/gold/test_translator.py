"""The gold assets tell the truth in the UI: typed columns, the Delta table, described checks."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import dagster as dg
import pytest

from lakehouse.definitions import build_definitions
from lakehouse.gold.assets import DBT_PROJECT
from lakehouse.gold.dbt_tests import describe_test
from lakehouse.settings import load_settings

ORDERS_DAILY = dg.AssetKey(["gold", "orders_daily"])
MANIFEST = json.loads(DBT_PROJECT.manifest_path.read_text())
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    root = tmp_path_factory.mktemp("lake")
    env = {"LAKEHOUSE_ROOT": str(root), "LAKEHOUSE_LANDING": str(root / "landing")}
    return build_definitions(load_settings(env))


def _gold_keys(defs: dg.Definitions) -> list[dg.AssetKey]:
    return [k for k in defs.resolve_asset_graph().get_all_asset_keys() if k.path[0] == "gold"]


def test_every_gold_column_has_a_type_and_a_description(defs: dg.Definitions) -> None:
    for key in _gold_keys(defs):
        schema = defs.resolve_asset_graph().get(key).metadata["dagster/column_schema"]
        untyped = [c.name for c in schema.columns if not c.type or c.type == "?"]
        assert schema.columns and not untyped, f"{key.to_user_string()}: untyped {untyped}"
        assert all(c.description for c in schema.columns)


def test_gold_storage_is_the_published_delta_table(defs: dg.Definitions) -> None:
    metadata = defs.resolve_asset_graph().get(ORDERS_DAILY).metadata
    assert metadata["dagster/table_name"] == "gold.orders_daily"
    assert "dagster/relation_identifier" not in metadata


def test_every_dbt_check_is_described(defs: dg.Definitions) -> None:
    specs = [s for k in _gold_keys(defs) for s in defs.resolve_assets_def(k).check_specs]
    assert len(specs) > 40
    assert all(s.description for s in specs), [s.name for s in specs if not s.description]
    by_name = {s.name: s.description for s in specs}
    unique = "unique_combination_orders_daily_order_date__country__currency"
    assert by_name[unique] == "unique(order_date, country, currency)"


def test_described_tests_name_their_arguments() -> None:
    nodes = MANIFEST["nodes"]
    relationship = next(u for u in nodes if u.startswith("test.lakehouse.relationships_customer"))
    assert describe_test(MANIFEST, relationship) == (
        "relationships(customer_id → customer_lifetime_value.customer_id)"
    )
    between = next(
        u for u in nodes if u.startswith("test.lakehouse.between_customer_churn_features")
    )
    assert describe_test(MANIFEST, between) == "between(frequency, min_value=1)"


def test_loading_the_definitions_and_the_daily_job_warns_nothing(tmp_path: Path) -> None:
    env = {"LAKEHOUSE_ROOT": str(tmp_path), "LAKEHOUSE_LANDING": str(tmp_path / "landing")}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        defs = build_definitions(load_settings(env))
        defs.resolve_job_def("daily_lakehouse")
        defs.resolve_job_def("gold_history_marts")
    ours = [w for w in caught if "site-packages/sqlglotrs" not in w.filename]
    assert not ours, [f"{w.filename}:{w.lineno}: {w.message}" for w in ours]


def test_every_dbt_test_a_gold_step_runs_is_one_of_its_checks(defs: dg.Definitions) -> None:
    """dagster-dbt logs a test it has no check for as an observation, with a warning."""
    for key in (ORDERS_DAILY, dg.AssetKey(["gold", "customer_lifetime_value"])):
        assets_def = defs.resolve_assets_def(key)
        select = assets_def.op.tags["dagster_dbt/select"]
        exclude = assets_def.op.tags.get("dagster_dbt/exclude", "")
        args = ["ls", "--resource-type", "test", "--output", "name", "--select", *select.split()]
        if exclude:
            args += ["--exclude", *exclude.split()]
        listed = subprocess.run(
            [
                str(BIN / "dbt"),
                *args,
                "--quiet",
                "--project-dir",
                str(DBT_PROJECT.project_dir),
                "--profiles-dir",
                str(DBT_PROJECT.project_dir),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout.split()
        checks = {s.name for s in assets_def.check_specs}
        assert listed and set(listed) <= checks, sorted(set(listed) - checks)
