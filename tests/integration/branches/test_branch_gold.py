"""A mart changed safely, end to end: branch, build what dbt's slim CI selects (reading the
base's silver at its pins), diff by the mart's key, promote, roll back — the base untouched
until the promotion."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest
from deltalake import DeltaTable

from lakehouse.branches.build import build_branch
from lakehouse.branches.changes import SOURCES_FOLDER
from lakehouse.branches.diff import diff_branch
from lakehouse.branches.pins import git_commit, load_branch
from lakehouse.branches.session import branch_settings, specs
from lakehouse.cli import main
from lakehouse.contracts.revisions import files_at_revision
from lakehouse.gold.invoke import run_dbt
from lakehouse.gold.project import DBT_PROJECT_DIR
from lakehouse.gold.run_context import RunContext
from lakehouse.lake import DeltaReader
from lakehouse.lake.catalog import connect
from lakehouse.settings import load_settings, project_dir

from ..gold.conftest import MARTS, silver_rows, write_silver

REPO = project_dir()
BRANCH = "whole_unit_aov"
MART = "gold/orders_daily"
KEYS = ["order_date", "country", "currency"]
# The change, whatever the mart's SQL is today: its average order value rounded to whole units.
CHANGE = """with current_mart as (
{sql}
)

select * replace (
    cast(round(average_order_value, 0) as decimal(18, 2)) as average_order_value
)
from current_mart
"""


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in KEYS])


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A base lakehouse in tmp: silver tables and every mart built by dbt from them."""
    root = tmp_path / "lake"
    write_silver(root, silver_rows())
    built = run_dbt(DBT_PROJECT_DIR, ["build", "--quiet"], tmp_path / "base", RunContext(str(root)))
    assert built.returncode == 0, built.output[-3000:]
    sources = tmp_path / "sources"
    sources.mkdir()
    for path, text in files_at_revision(REPO, git_commit(REPO), SOURCES_FOLDER).items():
        (sources / Path(path).name).write_text(text, encoding="utf-8")
    variables = {
        "LAKEHOUSE_ROOT": str(root),
        "LAKEHOUSE_LANDING": str(tmp_path / "landing"),
        "LAKEHOUSE_SOURCES_DIR": str(sources),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "LAKEHOUSE_USER": "tester",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("LAKEHOUSE_BRANCH", raising=False)
    return variables


def test_a_mart_change_is_built_diffed_promoted_and_rolled_back(
    env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(env)
    base = DeltaReader(settings.root)
    marts = [f"gold/{m}" for m in MARTS]
    pinned = {t: base.table(t).version() for t in [*marts, "silver/orders"]}
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    assert main(["branch", "create", BRANCH, "--dbt-project", str(project)]) == 0
    assert "state:modified" in capsys.readouterr().out

    # The change: orders_daily's SQL, edited in the branch's copy of the project.
    sql = project / "models" / "marts" / "orders_daily.sql"
    sql.write_text(CHANGE.format(sql=sql.read_text(encoding="utf-8").strip()), encoding="utf-8")

    on_branch = branch_settings(settings, BRANCH)
    branch = load_branch(settings, BRANCH)
    sources = Path(env["LAKEHOUSE_SOURCES_DIR"])
    outcome = build_branch(dg.Definitions(), on_branch, branch, REPO, sources, dbt_project=project)
    assert outcome.ok, (outcome.failed, outcome.blocking_failures)
    assert outcome.plan.assets == [MART]
    assert "state:modified" in outcome.plan.reasons[MART]
    assert any(c["asset"] == MART and c["blocking"] for c in outcome.checks)
    # The base was not written; the branch read the base's silver at its pins.
    assert {t: base.table(t).version() for t in pinned} == pinned
    assert not (Path(settings.root) / "_staging" / "gold" / "orders_daily").exists()
    own = DeltaTable(f"{on_branch.root}/{MART}")
    assert own.history()[-1]["lakehouse.branch_seed"].endswith(f"@{pinned[MART]}")

    # The diff names the rounded rows and the one column, by the mart's key, nothing else.
    diffs = diff_branch(load_branch(settings, BRANCH), specs(on_branch))
    differing = {d.table: d for d in diffs if d.differs}
    assert set(differing) == {MART}
    mart = differing[MART]
    assert mart.keys == KEYS
    assert mart.column_changes == {"average_order_value": 2} and mart.changed_rows == 2
    assert mart.only_in_base == mart.only_in_branch == 0
    assert {(s["country"], s["currency"]) for s in mart.samples["changed"]} == {
        ("US", "USD"),
        ("DE", "EUR"),
    }
    capsys.readouterr()
    assert main(["branch", "diff", BRANCH, "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["differs"] is True

    # `lakehouse sql` on the branch: its own mart, and the base's tables at their pins.
    con, names = connect(on_branch.root)
    assert {"silver.orders", "gold.customer_lifetime_value", "gold.orders_daily"} <= set(names)
    rows = con.sql("select count(*) from silver.orders").fetchall()
    assert rows == [(base.dataset("silver/orders").count_rows(),)]
    whole = con.sql("select count(*) from gold.orders_daily where average_order_value % 1 <> 0")
    assert whole.fetchall() == [(0,)]

    # Promote: the base now equals the branch; roll back: the base is what it was.
    before = base.read(MART)
    assert main(["branch", "promote", BRANCH]) == 0
    assert _sorted(base.read(MART)).equals(_sorted(DeltaReader(on_branch.root).read(MART)))
    assert json.loads(base.history(MART, 1)[0]["lakehouse.diff"])["columns"] == {
        "average_order_value": 2
    }
    assert main(["branch", "rollback", BRANCH]) == 0
    assert _sorted(base.read(MART)).equals(_sorted(before))
    assert base.table(MART).version() == pinned[MART] + 2  # the promotion, the restore
