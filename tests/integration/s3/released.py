"""Processes started apart and released at once, so their work on a lake truly overlaps."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest


def run_released_together(
    script: Path,
    arguments: Sequence[Mapping[str, Any]],
    folder: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 600,
) -> list[Any]:
    """Run ``python script '<json>'`` once per item of ``arguments`` (each given ``ready`` and
    ``go`` file paths: the script touches ``ready`` when set up, then waits for ``go``),
    release them together once all are ready, and return what each printed as JSON on its
    last line. A process that fails or never gets ready fails the test with its stderr."""
    go = folder / "go"
    processes: list[subprocess.Popen[str]] = []
    try:
        for n, args in enumerate(arguments):
            payload = {**args, "ready": str(folder / f"ready-{n}"), "go": str(go)}
            with (folder / f"out-{n}").open("w") as out, (folder / f"err-{n}").open("w") as err:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, str(script), json.dumps(payload)],
                        stdout=out,
                        stderr=err,
                        env=dict(env) if env is not None else None,
                        text=True,
                    )
                )
        deadline = time.monotonic() + 180
        while not all((folder / f"ready-{n}").exists() for n in range(len(processes))):
            failed = [n for n, p in enumerate(processes) if p.poll() is not None]
            if failed or time.monotonic() > deadline:
                err = (folder / f"err-{failed[0]}").read_text() if failed else "timeout"
                pytest.fail(f"{script.name} did not get ready: {err[-3000:]}")
            time.sleep(0.05)
        go.touch()
        reports = []
        for n, process in enumerate(processes):
            process.wait(timeout=timeout)
            err = (folder / f"err-{n}").read_text()
            assert process.returncode == 0, f"{script.name} {arguments[n]} failed:\n{err[-3000:]}"
            reports.append(json.loads((folder / f"out-{n}").read_text().splitlines()[-1]))
        return reports
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
