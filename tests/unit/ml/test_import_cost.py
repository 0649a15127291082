"""Loading the definitions does not import the ML libraries: every Dagster process (UI, daemon,
each run) loads them, and only the ML steps need scikit-learn, SciPy or MLflow."""

import subprocess
import sys


def test_the_definitions_load_without_sklearn_scipy_or_mlflow() -> None:
    probe = (
        "import sys, lakehouse.definitions; "
        "print(sorted(m for m in ('sklearn', 'scipy', 'mlflow') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stdout.strip() == "[]", done.stdout
