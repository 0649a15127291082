"""The dbt models pass sqlfluff (DuckDB dialect, the project's .sqlfluff): the SQL lint gate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]


def test_dbt_models_pass_sqlfluff() -> None:
    sqlfluff = Path(sys.executable).parent / "sqlfluff"
    result = subprocess.run(
        [str(sqlfluff), "lint", "models", "--nofail", "--format", "json"],
        cwd=PROJECT / "dbt_project",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    files = json.loads(result.stdout)
    assert len(files) >= 10, "every model is linted"
    violations = [
        (f["filepath"], v["code"], v["description"]) for f in files for v in f["violations"]
    ]
    assert violations == []
