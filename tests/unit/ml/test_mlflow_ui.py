"""``make mlflow-ui``: the MLflow the lock pins, one worker, on the dev store's tracking URI."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[3]


def _recipe() -> str:
    makefile = (PROJECT / "Makefile").read_text()
    found = re.search(r"^mlflow-ui:.*\n\t(.+)$", makefile, re.M)
    assert found, "Makefile has no mlflow-ui target"
    return found[1]


def test_mlflow_ui_runs_the_locked_mlflow_version() -> None:
    locked = re.search(
        r'^name = "mlflow-skinny"\nversion = "([^"]+)"', (PROJECT / "uv.lock").read_text(), re.M
    )
    assert locked, "uv.lock pins no mlflow-skinny"
    assert f"--from mlflow=={locked[1]} " in _recipe()


def test_mlflow_ui_runs_one_worker() -> None:
    # uvicorn (0.36+) kills a worker that does not answer its health check within 5 s; with
    # several workers each importing MLflow on a busy machine, every worker died at start.
    assert "--workers 1 " in _recipe()


def test_mlflow_ui_opens_the_dev_tracking_store(tmp_path: Path) -> None:
    """The recipe's own Python snippet, run on a scratch root, names that root's SQLite store."""
    snippet = re.search(r"\$\(BIN\)/python (-c '[^']+')", _recipe())
    assert snippet, _recipe()
    env = {"LAKEHOUSE_ENV": "dev", "LAKEHOUSE_ROOT": str(tmp_path), "LAKEHOUSE_LANDING": "x"}
    uri = subprocess.run(
        [sys.executable, *shlex.split(snippet[1])],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert uri == f"sqlite:///{tmp_path}/mlflow/mlflow.db"
    assert uri.startswith("sqlite:////"), "an absolute path needs four slashes"
