"""User errors on the command line are one line and exit 2, never a Python traceback."""

from pathlib import Path

import pytest

from lakehouse.cli import main


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch lakehouse with one landed day of orders (2026-01-05)."""
    landing = tmp_path / "landing"
    day = landing / "orders" / "2026-01-05"
    day.mkdir(parents=True)
    (day / "part-0001.jsonl").write_text('{"order_id": "O1"}\n')
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(tmp_path / "lake"))
    monkeypatch.setenv("LAKEHOUSE_LANDING", str(landing))
    monkeypatch.setenv("LAKEHOUSE_START_DATE", "2026-01-01")
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return tmp_path


def _one_line_error(capsys: pytest.CaptureFixture[str], code: int) -> str:
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("value", ["20261124", "2026-1-5", "2026-02-30", "yesterday"])
def test_dates_are_strict(scratch: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["materialize", "--start", value])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "use YYYY-MM-DD" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        ("group:nope", "matches no asset"),
        ("key:(", "is not a selection"),
        ("silver/orders,gold/nope", "no asset gold/nope"),
    ],
)
def test_selections_that_match_nothing_or_do_not_parse(
    scratch: Path, capsys: pytest.CaptureFixture[str], selection: str, expected: str
) -> None:
    err = _one_line_error(capsys, main(["materialize", "--select", selection]))
    assert expected in err


def test_a_day_without_landing_files_is_one_line(
    scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _one_line_error(capsys, main(["materialize", "--start", "2099-01-01"]))
    assert "nothing to run" in err or "no landed day" in err


def test_landed_days_before_the_start_date_are_named_with_the_fix(
    scratch: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LAKEHOUSE_START_DATE", "2026-02-01")
    code = main(["materialize"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "LAKEHOUSE_START_DATE=2026-01-05" in err
