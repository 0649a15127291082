"""The ``lakehouse`` console script exits with its command's code, without teardown crashes."""

import subprocess
import sys
from pathlib import Path

LAKEHOUSE = Path(sys.executable).parent / "lakehouse"


def _lakehouse(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LAKEHOUSE), *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_a_usage_error_exits_2_with_argparse_message() -> None:
    done = _lakehouse("no-such-command")
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


def test_help_exits_0_and_prints_everything() -> None:
    done = _lakehouse("--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: lakehouse")
    assert "materialize" in done.stdout


def test_a_command_error_exits_2_as_main_returns() -> None:
    done = _lakehouse("materialize", "--start", "20261124")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
