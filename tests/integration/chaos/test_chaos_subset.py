"""A short, deterministic chaos series on a small lakehouse (bronze and silver of orders, one
day): a SIGKILL inside the silver write, and the root's disk filled mid-write. After each: every
table readable, the rerun reaches exactly the reference's rows, no run STARTED, no slot claimed.
The S3 and PostgreSQL faults each need their own servers and a second warm process (tens of
seconds), so they run in `make chaos` only."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))  # chaos/ is a tool folder at the repo root, not an installed package
from chaos.iteration import Outcome, Series  # noqa: E402
from chaos.run import Lake, build_reference  # noqa: E402
from chaos.services import SmallDisk  # noqa: E402

CHAIN = ("bronze/orders", "silver/orders")
"""The reference: these two tables only."""
ROWS_PER_DAY = 4000
"""Enough orders that the silver write lasts a second or more."""


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Series]:
    work = tmp_path_factory.mktemp("chaos")
    reference = Lake(work / "reference" / "lake", work / "reference" / "dagster", work / "landing")
    select = " or ".join(f"key:{t}" for t in CHAIN)
    build_reference(reference, days=1, rows=ROWS_PER_DAY, timeout=300, select=select)
    tables = {"silver": ("orders",)}
    with Series(work, reference, 180, tables) as running:
        yield running


def _assert_recovered(outcome: Outcome) -> None:
    found = (
        f"hit {outcome.hit}, fault code {outcome.fault_code}, readable {outcome.readable}, "
        f"rerun code {outcome.rerun_code}, live {outcome.live}, claimed {outcome.claimed}, "
        f"differing {outcome.differing}; {outcome.note}; log: {outcome.log_tail[-1500:]}"
    )
    assert outcome.recovered, found
    assert (outcome.lost, outcome.duplicated, outcome.live, outcome.claimed) == (0, 0, 0, 0)


def test_a_sigkill_inside_the_silver_write_recovers_exactly(series: Series) -> None:
    outcome = series.iterate("sigkill", random.Random(1))
    assert outcome.hit == "silver__orders", outcome
    _assert_recovered(outcome)


def test_a_full_disk_under_the_root_mid_write_recovers_once_space_is_freed(
    series: Series, tmp_path: Path
) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a tmpfs for the full disk needs root")
    try:
        SmallDisk(tmp_path / "probe", 1).unmount()
    except subprocess.CalledProcessError:
        pytest.skip("mount refused (no CAP_SYS_ADMIN): no tmpfs for the full disk")
    # The fill lands a random moment into the step (found by polling its start): on a small
    # table the step's writes may all be done by then, and the run rightly succeeds. Such a
    # miss is recovered like any other, and the next moment is tried, until the fault hits.
    for seed in range(2, 6):
        outcome = series.iterate("disk-full", random.Random(seed))
        _assert_recovered(outcome)
        if outcome.fault_code != 0 or outcome.hit == "finished first":
            break
    assert outcome.fault_code != 0 or outcome.hit == "finished first", outcome
