"""`dg check defs` (the definitions gate of `make ci`) loads the project named by `[tool.dg]`."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_dg_check_defs_loads_the_lakehouse_code_location(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        **os.environ,
        # As under `make`: the venv's tools (dbt) on PATH, the venv active, a throwaway instance
        # and lakehouse, so the check touches nothing of the developer's.
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "VIRTUAL_ENV": sys.prefix,
        "DAGSTER_HOME": str(tmp_path),
        "LAKEHOUSE_ROOT": str(tmp_path / "lakehouse"),
        "LAKEHOUSE_LANDING": str(tmp_path / "landing"),
    }
    result = subprocess.run(
        [str(BIN / "dg"), "check", "defs"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "All definitions loaded successfully." in output
    assert "virtual environment does not match" not in output
