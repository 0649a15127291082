"""`lakehouse contracts diff` on real git revisions: exit 1 and a readable report on breaking."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lakehouse.cli import main
from lakehouse.contracts.revisions import compare_revisions
from lakehouse.sources import SOURCES_DIR

FOLDER = Path("platform/lakehouse/sources")
ORDERS = (SOURCES_DIR / "orders.yaml").read_text(encoding="utf-8")
STATUSES = "[pending, confirmed, shipped, delivered, cancelled]"


def git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    done = subprocess.run(
        ["git", "-C", str(repo), *identity, "-c", "commit.gpgsign=false", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def write(repo: Path, name: str, text: str) -> None:
    path = repo / FOLDER / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "orders.yaml", ORDERS)
    commit(tmp_path, "contracts")
    return tmp_path


def run(repo: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["contracts", "diff", "--repo", str(repo), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_breaking_change_exits_1_with_file_column_and_change(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert STATUSES in ORDERS
    write(repo, "orders.yaml", ORDERS.replace(STATUSES, "[pending, confirmed, shipped, delivered]"))
    code, out = run(repo, capsys, "--base", "main")
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith("BREAKING"))
    assert "platform/lakehouse/sources/orders.yaml" in line
    assert "column status" in line and "removed" in line and "cancelled" in line
    assert "1 breaking, 0 non-breaking" in out


def test_non_breaking_change_exits_0_and_is_reported(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    widened = ORDERS.replace(STATUSES, STATUSES.replace("]", ", returned]"))
    write(repo, "orders.yaml", widened.replace("team:commerce", "team:shop"))
    code, out = run(repo, capsys, "--base", "main")
    assert code == 0
    assert "NON-BREAKING" in out and "returned" in out and "owner" in out
    assert "0 breaking, 2 non-breaking" in out


def test_unchanged_contracts_exit_0(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(repo, capsys, "--base", "main")
    assert (code, out.splitlines()[-1]) == (0, "0 breaking, 0 non-breaking change(s)")


def test_compares_two_committed_revisions(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = git(repo, "rev-parse", "HEAD")
    write(repo, "orders.yaml", ORDERS.replace("decimal(12,2)", "decimal(10,2)"))
    head = commit(repo, "narrow order_total")
    write(repo, "orders.yaml", ORDERS)  # the working tree is not what --head compares
    code, out = run(repo, capsys, "--base", base, "--head", head)
    assert code == 1
    assert "column order_total: type narrowed decimal(12,2) → decimal(10,2)" in out


def test_removed_source_is_breaking(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / FOLDER / "orders.yaml").unlink()
    code, out = run(repo, capsys, "--base", "main")
    assert code == 1
    assert "orders.yaml: contract 'orders' removed" in out


def test_first_existing_base_is_used_when_origin_main_is_missing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, "orders.yaml", ORDERS.replace("nullable: false\n    references", "references"))
    code, out = run(repo, capsys, "--base", "origin/main", "main", "HEAD")
    assert code == 0
    assert "since origin/main not found" in out.splitlines()[0]
    assert "became nullable" in out


def test_unknown_base_exits_2_naming_the_revision(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(repo, capsys, "--base", "origin/main")
    assert code == 2
    assert "'origin/main' not found" in out


def test_invalid_head_contract_exits_2_naming_the_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, "orders.yaml", ORDERS.replace("type: decimal(12,2)", "type: decmal(12,2)"))
    code, out = run(repo, capsys, "--base", "main")
    assert code == 2
    assert "orders.yaml" in out and "decmal" in out


def test_base_contract_that_no_longer_parses_is_a_warning_not_a_failure(repo: Path) -> None:
    write(repo, "orders.yaml", ORDERS.replace("kind: fact", "kind: fact\nretired_field: 1"))
    commit(repo, "a field the current model does not know")
    write(repo, "orders.yaml", ORDERS)
    report = compare_revisions(repo, "HEAD")
    assert report.changes == []
    assert len(report.warnings) == 1 and "orders.yaml" in report.warnings[0]
