"""A source change made safely, end to end: branch, build what changed, diff, canary, promote,
roll back — on real Delta tables, with the base never written until the promotion."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest

from lakehouse.branches.build import build_branch
from lakehouse.branches.changes import SOURCES_FOLDER
from lakehouse.branches.diff import diff_branch
from lakehouse.branches.pins import git_commit, load_branch
from lakehouse.branches.session import branch_settings, specs
from lakehouse.cli import main
from lakehouse.contracts.revisions import files_at_revision
from lakehouse.datagen import generate
from lakehouse.definitions import build_definitions
from lakehouse.lake import DeltaReader
from lakehouse.settings import load_settings, project_dir

from ..conftest import DAYS, START

REPO = project_dir()
NEW_COLUMN = """  - name: premium
    type: boolean
    expr: "price >= 50"
    description: True when the product's price is at least 50 in its currency.
"""
BRANCH = "premium_products"
TABLE = "silver/products"


def _sorted(table: pa.Table, keys: list[str]) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in keys])


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A base lakehouse (bronze + silver, two days) built from HEAD's declarations in tmp."""
    commit = git_commit(REPO)
    sources = tmp_path / "sources"
    sources.mkdir()
    for path, text in files_at_revision(REPO, commit, SOURCES_FOLDER).items():
        (sources / Path(path).name).write_text(text, encoding="utf-8")
    generate(str(tmp_path / "landing"), START, len(DAYS), 60, seed=7)
    variables = {
        "LAKEHOUSE_ROOT": str(tmp_path / "lake"),
        "LAKEHOUSE_LANDING": str(tmp_path / "landing"),
        "LAKEHOUSE_SOURCES_DIR": str(sources),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "LAKEHOUSE_USER": "tester",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LAKEHOUSE_BRANCH", raising=False)
    settings = load_settings(variables)
    job = build_definitions(settings).resolve_job_def("daily_lakehouse")
    selection = [
        dg.AssetKey([layer, s.name]) for s in specs(settings) for layer in ("bronze", "silver")
    ]
    instance = dg.DagsterInstance.ephemeral()
    for day in DAYS:
        result = job.execute_in_process(
            partition_key=day.isoformat(), instance=instance, asset_selection=selection
        )
        assert result.success
    return variables


def test_a_source_change_is_built_diffed_canaried_promoted_and_rolled_back(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(env)
    base = DeltaReader(settings.root)
    assert main(["branch", "create", BRANCH]) == 0
    branch = load_branch(settings, BRANCH)
    pinned = {t: base.table(t).version() for t in (TABLE, "silver/order_items")}
    assert {t: branch.tables[t] for t in pinned} == pinned

    # The change: a derived column on products, declared in the (copied) sources folder.
    declaration = Path(env["LAKEHOUSE_SOURCES_DIR"]) / "products.yaml"
    declaration.write_text(declaration.read_text(encoding="utf-8") + NEW_COLUMN, encoding="utf-8")

    on_branch = branch_settings(settings, BRANCH)
    outcome = build_branch(
        build_definitions(on_branch), on_branch, branch, REPO, Path(env["LAKEHOUSE_SOURCES_DIR"])
    )
    assert outcome.ok, (outcome.failed, outcome.blocking_failures)
    assert outcome.checks and all(c["passed"] for c in outcome.checks if c["blocking"])
    assert set(outcome.plan.assets) == {TABLE, "silver/order_items"}
    assert "premium" in outcome.plan.reasons[TABLE]
    assert outcome.plan.reasons["silver/order_items"] == "downstream of a changed source"
    # The base was not written: every table is still at its pinned version.
    assert {t: base.table(t).version() for t in pinned} == pinned
    assert "premium" not in base.table(TABLE).schema().to_arrow().names

    # The diff names the new column on the rows that have it, and nothing else.
    diffs = diff_branch(load_branch(settings, BRANCH), specs(on_branch))
    differing = {d.table: d for d in diffs if d.differs}
    # silver/products writes its type-2 history too: the same new column, nothing else.
    assert set(differing) == {TABLE, f"{TABLE}_history"}
    assert differing[f"{TABLE}_history"].added_columns == ["premium"]
    products = differing[TABLE]
    assert products.added_columns == ["premium"]
    assert products.column_changes == {"premium": products.changed_rows}
    assert products.only_in_base == products.only_in_branch == 0
    assert 0 < products.changed_rows <= products.base_rows == products.branch_rows
    assert products.samples["changed"] and "product_id" in products.samples["changed"][0]
    capsys.readouterr()
    assert main(["branch", "diff", BRANCH, "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["differs"] is True

    # Canary: the last landed day, every check, thresholds judged, report written.
    report = tmp_path / "artifacts" / "canary.md"
    code = main(
        [
            "branch", "canary", BRANCH, "--days", "1", "--output", str(report),
            "--threshold", "silver.products.rows<=0%",
            "--threshold", "silver.products.price<=0%",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr()
    text = report.read_text(encoding="utf-8")
    assert "PASS silver.products.rows<=0%" in text and "premium" in text
    assert main(["branch", "canary", BRANCH, "--days", "1", "--threshold",
                 "silver.products.premium<=1%"]) == 1  # fmt: skip

    # Promote: the base now equals the branch, and the commit says who and why.
    before = base.read(TABLE)
    assert main(["branch", "promote", BRANCH]) == 0
    keys = ["product_id"]
    promoted = base.read(TABLE)
    assert _sorted(promoted, keys).equals(_sorted(DeltaReader(on_branch.root).read(TABLE), keys))
    commit = base.history(TABLE, 1)[0]
    assert commit["lakehouse.promoted_from"] == BRANCH
    assert commit["lakehouse.promoted_by"] == "tester"
    assert json.loads(commit["lakehouse.diff"])["added_columns"] == ["premium"]
    audit = Path(settings.root) / "_branches" / "_promotions.jsonl"
    assert json.loads(audit.read_text().splitlines()[-1])["action"] == "promote"
    # A second promotion is refused: the base moved past the branch's pins.
    assert main(["branch", "promote", BRANCH]) == 2

    # Roll back: every promoted table is back at its pre-promotion rows.
    assert main(["branch", "rollback", BRANCH]) == 0
    restored = base.read(TABLE)
    assert _sorted(restored, keys).equals(_sorted(before, keys))
    assert "premium" not in restored.schema.names
    assert main(["branch", "drop", BRANCH]) == 0
    assert base.table(TABLE).version() == pinned[TABLE] + 2  # the promotion, the restore
