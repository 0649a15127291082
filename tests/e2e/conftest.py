"""A Dagster webserver over a tiny lakehouse with one materialised day, shared by the e2e tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lakehouse.datagen import generate

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ROWS_PER_DAY = 20
# The layers the e2e tests look at; later layers stay unmaterialised (they need more history).
MATERIALIZE = "group:bronze or group:silver"
READY_QUERY = "{ assetNodes { assetKey { path } } }"


@dataclass(frozen=True)
class Webserver:
    """A running ``dagster-webserver`` and the landing day materialised into its instance."""

    port: int
    day: date
    home: Path
    env: dict[str, str]

    @property
    def url(self) -> str:
        """The UI's base URL, without a trailing slash."""
        return f"http://127.0.0.1:{self.port}"

    def graphql(self, query: str) -> dict[str, Any]:
        """POST ``query`` to the webserver's GraphQL endpoint; the decoded response."""
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def _materialize(day: date, env: dict[str, str]) -> None:
    """Run ``lakehouse materialize`` for ``day`` headless, recording its runs in the instance."""
    days = ["--start", day.isoformat(), "--end", day.isoformat()]
    result = subprocess.run(
        [str(BIN / "lakehouse"), "materialize", "--select", MATERIALIZE, *days],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(
            f"lakehouse materialize failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
        )


@pytest.fixture(scope="session")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Webserver]:
    """Land and materialise yesterday (UTC), then serve the instance on a free port."""
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text((PROJECT / "infra/dagster/dagster.dev.yaml").read_text())
    # Yesterday is the newest complete partition; starting the partitions there keeps the UI
    # to a single, fully materialised partition.
    day = datetime.now(UTC).date() - timedelta(days=1)
    generate(str(home / "landing"), day, 1, ROWS_PER_DAY, seed=7)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "LAKEHOUSE_ENV": "dev",
        "LAKEHOUSE_ROOT": str(home / "lake"),
        "LAKEHOUSE_LANDING": str(home / "landing"),
        "LAKEHOUSE_START_DATE": day.isoformat(),
    }
    _materialize(day, env)

    port = _free_port()
    log = home / "webserver.log"
    command = [str(BIN / "dagster-webserver"), "-w", "workspace.yaml", "-h", "127.0.0.1"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "-p", str(port)],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Webserver(port=port, day=day, home=home, env=env)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if server.graphql(READY_QUERY)["data"]["assetNodes"]:
                    break
            except (OSError, KeyError, TypeError, ValueError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"webserver did not serve the asset graph:\n{_tail(log)}")
            time.sleep(0.5)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def daemon(webserver: Webserver) -> Iterator[None]:
    """``dagster-daemon`` on the webserver's instance, which launches the runs it queues.

    Sensors stay off, so the daemon launches only what a test queues.
    """
    log = webserver.home / "daemon.log"
    env = {**webserver.env, "LAKEHOUSE_SENSORS": "off"}
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
