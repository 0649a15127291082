"""dbt run as a subprocess outside Dagster: branch builds and the manifests they compare."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakehouse.gold.run_context import RunContext

DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
"""The dbt of this environment, found without relying on PATH."""


class DbtError(RuntimeError):
    """A dbt command could not run (not a failing test: see ``DbtResult.returncode``)."""


@dataclass(frozen=True)
class DbtResult:
    """One dbt invocation: exit code, output, and the target folder holding its artifacts."""

    returncode: int
    output: str
    target: Path

    def artifact(self, name: str) -> dict[str, Any]:
        """A JSON artifact of the run (``manifest.json``, ``run_results.json``)."""
        path = self.target / name
        if not path.is_file():
            tail = "\n".join(self.output.splitlines()[-15:])
            raise DbtError(
                f"dbt wrote no {name} in {self.target} (exit {self.returncode}):\n{tail}"
            )
        return json.loads(path.read_text(encoding="utf-8"))

    def listed(self) -> list[dict[str, Any]]:
        """The JSON lines ``dbt ls --output json`` printed."""
        found = []
        for line in self.output.splitlines():
            text = line.strip()
            if text.startswith("{"):
                found.append(json.loads(text))
        return found


def run_dbt(
    project_dir: Path, args: Sequence[str], target: Path, context: RunContext | None = None
) -> DbtResult:
    """Run ``dbt <args>`` on the project in ``project_dir`` (its own ``profiles.yml``), with
    artifacts and logs in ``target``; ``context`` (the root and window) is written there first.
    """
    if context is not None:
        context.write(target)
    command = [
        DBT_EXECUTABLE,
        *args,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--target-path",
        str(target),
        "--log-path",
        str(target),
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=project_dir, check=False)
    return DbtResult(done.returncode, done.stdout + done.stderr, target)
