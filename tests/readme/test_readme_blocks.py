"""Every README shell block a user runs is run here, in a scratch lakehouse, with the outcomes
the README states (the failed day, the quarantine counts, a new day reaching gold).

The blocks are taken from README.md itself (``tests.readme.blocks``), so an edited command is
tested as edited. Blocks that need ``make run`` or a browser are listed in ``EXEMPT`` with the
reason; a new block in a section that is neither run (here or in another test of this folder)
nor exempt fails ``test_every_bash_block_is_run_or_exempt``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.readme.blocks import (
    ADD_SOURCE,
    CHANGE_MART,
    MODEL_LIFECYCLE,
    NEW_DAY,
    ONE_FAULT,
    QUERY,
    README,
    Block,
    Shell,
    readme_blocks,
    section,
)

EXEMPT = {
    "Quickstart": "`make run` starts the UI and daemon until stopped; `make test` runs this suite",
    "The gold layer: dbt marts on Delta": "`make docs` builds the dbt docs site (dbt's own tool)",
}
EXEMPT_COMMANDS = {
    "lakehouse materialize --select bronze/refunds,silver/refunds": (
        "needs refunds.yaml installed in the package and refunds landed: the README's example "
        "source is not part of the checkout"
    ),
}


def test_every_bash_block_is_run_or_exempt() -> None:
    run = {ONE_FAULT, QUERY, NEW_DAY, ADD_SOURCE, CHANGE_MART, MODEL_LIFECYCLE}
    for block in readme_blocks():
        assert block.section in run or block.section in EXEMPT, (
            f"README block under {block.section!r} is neither run by tests/readme nor exempt:\n"
            f"{block.text}"
        )


def test_readme_walk_through_blocks_exist() -> None:
    assert len(section(ONE_FAULT)) == 3
    assert len(section(QUERY)) == 1
    assert len(section(NEW_DAY)) == 2
    assert len(section(CHANGE_MART)) == 2


def test_one_fault_end_to_end_then_query_and_add_a_source(tmp_path: Path) -> None:
    """The fault walk-through as written; then the query and add-a-source blocks on its lake."""
    shell = Shell(tmp_path / "walk")
    first, quarantine, redelivery = section(ONE_FAULT)

    failed = shell.run(first, check=False)
    out = failed.stdout + failed.stderr
    assert failed.returncode != 0, out
    assert re.search(r"^2026-11-20\s+ok", out, re.M) and re.search(r"^2026-11-21\s+ok", out, re.M)
    assert re.search(r"^2026-11-22\s+FAILED", out, re.M), out
    assert "bronze/orders blocked, nothing published" in out, out

    files = shell.run(quarantine).stdout
    assert "150" in files, files  # the truncated file held 150 rows

    # Not yet built for the failed day: silver and gold untouched.
    day = "select count(*) from silver.orders where _landing_date = date '2026-11-22'"
    count = Block("", f'.venv/bin/lakehouse sql "{day}"')
    assert re.search(r"\b0\b", shell.run(count).stdout)

    rerun = shell.run(redelivery).stdout
    assert re.search(r"^2026-11-22\s+ok", rerun, re.M), rerun
    assert re.search(r"order_total < 0\W+10\b", rerun), rerun  # 10 with a negative total
    assert re.search(r"^\s*2\s.*WRITE\s+490\b", rerun, re.M), rerun  # silver published 490
    assert "restored silver/orders to version 1 (was 2)" in rerun, rerun

    for block in section(QUERY):
        listed = shell.run(block).stdout
        assert "silver.orders" in listed and "gold.orders_daily" in listed, listed

    for block in section(ADD_SOURCE):
        if any(command in block.text for command in EXEMPT_COMMANDS):
            continue
        yaml = re.search(r"```yaml\n(name: refunds.*?)```", README.read_text(), re.S)
        assert yaml is not None
        declaration = shell.scratch / "refunds.yaml"
        declaration.write_text(yaml[1])
        text = block.text.replace("platform/lakehouse/sources/refunds.yaml", str(declaration))
        checked = shell.run(Block(block.section, text))
        assert "refunds" in checked.stdout + checked.stderr

    for block in section(CHANGE_MART):
        shell.run(block)


def test_drop_a_new_day_reaches_gold(tmp_path: Path) -> None:
    """A new day lands (the day before a seed ending yesterday) and `materialize` builds it."""
    shell = Shell(tmp_path / "newday")
    land, build = section(NEW_DAY)
    new_day = (datetime.now(UTC).date() - timedelta(days=8)).isoformat()
    assert f"{new_day} .. {new_day}" in shell.run(land).stdout
    result = shell.run(build)
    built = result.stdout
    assert re.search(rf"^{new_day}\s+ok", built, re.M), built
    # Normal use prints no Python warning (BetaWarning, backfill policies, deprecations).
    assert not re.search(r"\w+Warning:", result.stderr), result.stderr
    gold = Block("", '.venv/bin/lakehouse sql "select min(order_date) from gold.orders_daily"')
    assert shell.run(gold).returncode == 0


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])
